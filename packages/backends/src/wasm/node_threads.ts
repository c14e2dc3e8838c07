import * as tf from '@tensorflow/tfjs-core';
import { instantiateTfjsWasm, type TfjsWasmModule } from './emscripten_module.js';
import { nodeBuiltins } from './node_builtins.js';
import { wasmBuildFiles } from './package_files.js';

/** The parts of `@tensorflow/tfjs-backend-wasm`'s exports this loader uses. */
export interface WasmBackendPackage {
  BackendWasm: new (module: never) => tf.KernelBackend;
  setThreadsCount(threads: number): void;
}

/** tfjs' C++ caps XNNPACK's pool at 8 threads, and Emscripten pre-starts 8 workers. */
export const MAX_WASM_THREADS = 8;

/** Default thread count in Node: every core the process may use, up to tfjs' cap. */
export async function defaultNodeThreads(): Promise<number> {
  return Math.min((await nodeBuiltins()).availableParallelism(), MAX_WASM_THREADS);
}

// The registration this module made, so an identical request reuses the live backend.
let current: { threads: number; factory: () => Promise<tf.KernelBackend> } | undefined;
// tfjs swallows a failing factory's error (it only logs it): kept here for the caller's message.
let initError: unknown;

/** The error the last start of the Node wasm backend failed with, if it failed. */
export function lastInitError(): unknown {
  return initError;
}

/**
 * Registers tfjs' wasm backend under the name `wasm` for Node, running on `threads` threads:
 * 1 loads the single-threaded SIMD build (as tfjs does in Node); 2 or more load the threaded SIMD
 * build, whose pthreads run on `worker_threads`. The package's kernels are registered for the
 * name `wasm`, so they all run on this backend. Does not switch to it: call `tf.setBackend('wasm')`.
 *
 * A different thread count than the registered one replaces the backend (`tf.removeBackend`),
 * which frees every tensor that lives on it. The pthread workers do not keep the process alive.
 */
export function registerNodeWasmBackend(wasmPackage: WasmBackendPackage, threads: number): void {
  if (current !== undefined && current.threads === threads && tf.findBackendFactory('wasm') === current.factory) return;
  const factory = async (): Promise<tf.KernelBackend> => {
    initError = undefined;
    try {
      const node = await nodeBuiltins();
      const module = await instantiateTfjsWasm(node, wasmBuildFiles(node, threads > 1 ? 'threaded-simd' : 'simd'), threads);
      // BackendWasm's constructor reads this module-level setting to size XNNPACK's pool.
      wasmPackage.setThreadsCount(threads);
      const backend = new wasmPackage.BackendWasm(module as never);
      unrefPthreadWorkers(module);
      // No silent downgrade: the pool must have exactly the threads asked for.
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
  current = { threads, factory };
}

/**
 * Lets the process exit while XNNPACK's pthreads are alive. Emscripten `ref()`s a worker when it
 * starts a pthread on it, and XNNPACK's pool threads never end, so without this a script hangs at
 * exit unless it calls `tf.removeBackend('wasm')`. Idle workers are already unref'd by Emscripten.
 * Safe: kernels run synchronously on the main thread, which waits for the pool inside the call.
 */
function unrefPthreadWorkers(module: TfjsWasmModule): void {
  for (const worker of module.PThread?.runningWorkers ?? []) worker.unref();
}
