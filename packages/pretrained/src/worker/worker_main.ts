/**
 * The classifier's Web Worker (a module worker). `loadInWorker` starts it with
 * `new Worker(new URL('./worker_main.js', import.meta.url), { type: 'module' })`; apps whose bundler
 * does not follow that pattern build this file as its own bundle and pass its URL as `workerUrl`.
 *
 * Importing this module has an effect: it takes over the worker's `onmessage`.
 */
import { PROTOCOL, type WorkerResponse } from './protocol.js';
import { createWorkerServer } from './worker_server.js';

// Typed by shape: the package compiles against the DOM library, where `self` is a Window.
interface WorkerScope {
  postMessage(message: WorkerResponse, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;
const server = createWorkerServer(scope);
scope.onmessage = (event) => server.receive(event.data);
// Every import above has loaded and run: the page may now send requests.
scope.postMessage({ type: 'ready', protocol: PROTOCOL }, []);
