/**
 * tfjs' wasm backend in browsers (pages and Web Workers), started by this package instead of
 * tfjs' own loader so that
 * - `threads` is honoured: tfjs' C++ sizes XNNPACK's pool from half of
 *   `navigator.hardwareConcurrency` (assuming 2 hyperthreads per core), so a page on a 2-core
 *   machine never got more than 1 thread, whatever `setThreadsCount` said;
 * - the binaries come from known URLs (see browser_files.ts) and a missing one is an error that
 *   names its URL, not a generic abort.
 * The glue modules are tfjs-backend-wasm's own (`wasm-out/*.js`), imported through the
 * `ModuleImporter`; where they cannot be imported, tfjs' own loader runs as before.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModuleImporter } from '../importer.js';
import { fetchWasmBinary, wasmBinaryUrl, type WasmPaths } from './browser_files.js';
import { startTfjsWasm, type EmscriptenBuild, type EmscriptenFactory } from './emscripten_module.js';
import type { WasmBackendPackage } from './node_threads.js';

/** tfjs-backend-wasm's Emscripten glue modules (CommonJS files in its `wasm-out/`). */
export const GLUE_MODULES = {
  plain: '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js',
  threaded: '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js',
  threadedWorker: '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js',
} as const;

/** The glue of one build, loaded. */
interface Glue {
  factory: EmscriptenFactory;
  /** Threaded build: the pthread worker's source. */
  workerSource?: string;
}

/** A CommonJS module as an ES import gives it: the exports object, or a namespace with it as `default`. */
function commonJsExports(namespace: unknown): Record<string, unknown> {
  const ns = namespace as { default?: unknown } & Record<string, unknown>;
  const value = ns.default ?? ns;
  return (typeof value === 'function' ? { factory: value } : value) as Record<string, unknown>;
}

/** The glue for `threads`, or undefined when the importer cannot provide it. */
export async function importGlue(importer: ModuleImporter, threads: number): Promise<Glue | undefined> {
  try {
    if (threads < 2) {
      const factory = commonJsExports(await importer(GLUE_MODULES.plain))['factory'];
      return typeof factory === 'function' ? { factory: factory as EmscriptenFactory } : undefined;
    }
    const [main, worker] = await Promise.all([importer(GLUE_MODULES.threaded), importer(GLUE_MODULES.threadedWorker)]);
    const factory = commonJsExports(main)['factory'];
    const workerSource = commonJsExports(worker)['wasmWorkerContents'];
    if (typeof factory !== 'function' || typeof workerSource !== 'string') return undefined;
    return { factory: factory as EmscriptenFactory, workerSource };
  } catch {
    return undefined;
  }
}

/**
 * The glue's warnings, but for the one Emscripten prints when a page's main thread waits for a
 * pthread: XNNPACK's pool creation waits for workers Emscripten has already started (8 of them,
 * up front), so the wait is short and the warning only alarms the page's console.
 */
function printGlueWarning(text: string): void {
  if (!text.startsWith('Blocking on the main thread')) console.warn(text);
}

/**
 * The glue as pthread workers load it: a classic script defining `WasmBackendModuleThreadedSimd`
 * from the factory's source text (`Function.prototype.toString`), as tfjs' own loader does — but
 * evaluated where a name the text leaves free reads as `undefined` instead of throwing. Why: the
 * factory tests a variable of its enclosing closure (`typeof _scriptDir !== "undefined"`), and
 * minifiers that see the closure rewrite the test to `e !== void 0` (Vite 8's default, Oxc, does).
 * Outside that closure, in the worker, `e` does not exist: every pthread worker would throw and
 * the backend would never start. Names the worker's global scope has resolve as usual.
 */
export function pthreadMainScript(factory: EmscriptenFactory): string {
  return [
    'var WasmBackendModuleThreadedSimd;',
    '(function () {',
    '  var free = new Proxy({}, {',
    '    has: function (_, key) { return typeof key === "string" && !(key in self); },',
    '    get: function () { return undefined; },',
    '  });',
    `  with (free) { WasmBackendModuleThreadedSimd = ${factory.toString()}; }`,
    '})();',
  ].join('\n');
}

/** The build's files as blobs, the way tfjs' own loader hands them to Emscripten. */
function threadedBuild(glue: Glue, binary: WebAssembly.Module): EmscriptenBuild {
  // The worker source was written for a Blob: tfjs escapes its "\n" the same way before use.
  const worker = new Blob([(glue.workerSource ?? '').replace(/\n/g, '\\n')], { type: 'text/javascript' });
  return {
    factory: glue.factory,
    binary,
    workerUrl: URL.createObjectURL(worker),
    // pthread workers load the glue with importScripts and look for this global.
    mainScriptUrlOrBlob: new Blob([pthreadMainScript(glue.factory)], { type: 'text/javascript' }),
    printErr: printGlueWarning,
  };
}

// The registration this module made, so an identical request reuses the live backend.
let current: { key: string; factory: () => Promise<tf.KernelBackend> } | undefined;
let initError: unknown;

/** The error the last start of the browser wasm backend failed with, if it failed. */
export function lastBrowserInitError(): unknown {
  return initError;
}

/**
 * Registers tfjs' wasm backend under the name `wasm` for a browser, on exactly `threads` threads
 * (2 or more: the threaded SIMD build, which needs a cross-origin isolated page; 1: the SIMD
 * build), with the binaries from `paths`. Does not switch to it: call `tf.setBackend('wasm')`.
 * A different configuration than the registered one replaces the backend, freeing its tensors.
 */
export function registerBrowserWasmBackend(wasmPackage: WasmBackendPackage, glue: Glue, threads: number, paths: WasmPaths): void {
  const binaryName = threads > 1 ? 'tfjs-backend-wasm-threaded-simd.wasm' : 'tfjs-backend-wasm-simd.wasm';
  const url = wasmBinaryUrl(paths, binaryName);
  const key = `${threads}:${url}`;
  if (current !== undefined && current.key === key && tf.findBackendFactory('wasm') === current.factory) return;
  const factory = async (): Promise<tf.KernelBackend> => {
    initError = undefined;
    try {
      const binary = await fetchWasmBinary(url);
      const build = threads > 1 ? threadedBuild(glue, binary) : { factory: glue.factory, binary };
      const module = await startTfjsWasm(build, threads);
      // BackendWasm's constructor reads this module-level setting to size XNNPACK's pool.
      wasmPackage.setThreadsCount(threads);
      const backend = new wasmPackage.BackendWasm(module as never);
      const running = module.tfjs.getThreadsCount();
      if (running !== threads) {
        backend.dispose();
        throw new Error(`tfjs-backend-wasm started ${running} thread(s) instead of ${threads}`);
      }
      return backend;
    } catch (error) {
      initError = error;
      throw error;
    }
  };
  if (tf.findBackendFactory('wasm') !== null) tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, 2);
  current = { key, factory };
}
