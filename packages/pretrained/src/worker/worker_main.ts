/**
 * The classifier's default Web Worker (a module worker). `loadInWorker` starts it with
 * `new Worker(new URL('./worker_main.js', import.meta.url), { type: 'module' })`; apps whose bundler
 * does not follow that pattern build this file as its own bundle and pass its URL as `workerUrl`.
 *
 * It bundles every browser backend (cpu, wasm, webgl, webgpu), so that `backend: 'auto'` can pick
 * any of them; a worker with fewer is a script of the app's own that calls `serveClassifier()`.
 * Importing this module has an effect: it starts serving the worker's messages.
 */
import '@resnext/backends/browser';
import { serveClassifier } from './serve.js';

serveClassifier();
