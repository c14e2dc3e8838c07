/**
 * The worker threads of our kernel pool: Node (worker_threads) and browsers (nested Web Workers
 * from a blob: URL, started from a dedicated Web Worker or from a cross-origin isolated page's
 * main thread). Workers block in `Atomics.wait` between jobs; the calling thread blocks too, except
 * on a page's main thread, which may not block and polls instead (see KernelPool.run).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ARGS_BYTES, FAILED, FN, MAX_ARGS, NARGS, NEXT, PENDING, READY, SEQ, runEnd, takeRun } from './run_schedule.js';

/** What each worker is given: the kernels' module, the backend's shared heap, the control block. */
export interface KernelWorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
  names: readonly string[];
}

/** A started worker, as the pool uses it. */
export interface KernelWorker {
  terminate(): void;
}

/**
 * The worker's loop, given an expression for its KernelWorkerData: instantiate, report ready, then
 * run jobs forever (waiting on SEQ between jobs). A job's arguments: total units, the unit runs
 * are made of, threads, then the entry point's own arguments.
 */
function workerLoop(data: string): string {
  return `
${takeRun.toString()}
${runEnd.toString()}
const { module, memory, control, index, names } = ${data};
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = names.map((name) => exports[name]);
const ctl = new Int32Array(control, 0, ${ARGS_BYTES / 4});
const args = new Float64Array(control, ${ARGS_BYTES}, ${MAX_ARGS});
// Read before reporting ready: the first job may be posted the moment the caller sees us ready.
let seen = Atomics.load(ctl, ${SEQ});
Atomics.store(ctl, ${READY} + index, 1);
Atomics.notify(ctl, ${READY} + index);
for (;;) {
  Atomics.wait(ctl, ${SEQ}, seen);
  seen = Atomics.load(ctl, ${SEQ});
  const fn = Atomics.load(ctl, ${FN});
  if (fn < 0) break;
  const total = args[0], unit = args[1], threads = args[2], rest = Array.from(args.subarray(3, Atomics.load(ctl, ${NARGS})));
  try {
    for (let first; (first = ${takeRun.name}(ctl, ${NEXT}, total, unit, threads)) >= 0; ) {
      fns[fn](index + 1, first, ${runEnd.name}(first, total, unit, threads), ...rest);
    }
  } catch {
    Atomics.store(ctl, ${FAILED}, 1);
  }
  if (Atomics.sub(ctl, ${PENDING}, 1) === 1) Atomics.notify(ctl, ${PENDING});
}
`;
}

const NODE_SOURCE = `const { workerData } = require('node:worker_threads');\n${workerLoop('workerData')}`;
// A nested Web Worker gets its data in its first message, then blocks in its loop for good.
const BROWSER_SOURCE = `self.onmessage = (event) => {\n  self.onmessage = null;\n  run(event.data);\n  self.close();\n};\nfunction run(data) {${workerLoop('data')}}\n`;

/** The bits of Node's worker_threads used here (typed locally: the build has no Node types). */
interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error', listener: (error: unknown) => void): void;
}
interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;
}

/** Node's worker_threads, synchronously (`process.getBuiltinModule`, Node >= 20.16), or undefined. */
function workerThreads(): WorkerThreads | undefined {
  if (!tf.env().getBool('IS_NODE')) return undefined;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
}

/** Whether this code runs in a browser's dedicated Web Worker, where `Atomics.wait` is allowed. */
function inDedicatedWorker(): boolean {
  const scope = (globalThis as { DedicatedWorkerGlobalScope?: abstract new () => unknown }).DedicatedWorkerGlobalScope;
  return typeof scope === 'function' && globalThis instanceof scope && typeof Worker === 'function';
}

/** Whether this code runs on a page's main thread that may share memory with workers. */
function onIsolatedPage(): boolean {
  const g = globalThis as { window?: unknown; crossOriginIsolated?: boolean };
  return g.window === globalThis && g.crossOriginIsolated === true && typeof Worker === 'function';
}

/**
 * Where this thread's pool workers come from: 'node' (worker_threads; this thread may block),
 * 'web-worker' (nested workers; may block), 'page' (nested workers from a page's main thread,
 * which may not block in `Atomics.wait`), or undefined where there can be no pool.
 */
export type KernelWorkerHost = 'node' | 'web-worker' | 'page';

/** The host for this thread (see KernelWorkerHost). */
export function kernelWorkerHost(): KernelWorkerHost | undefined {
  if (workerThreads() !== undefined) return 'node';
  if (inDedicatedWorker()) return 'web-worker';
  return onIsolatedPage() ? 'page' : undefined;
}

let browserSourceUrl: string | undefined;

/**
 * Starts one pool worker on `host`. Errors while it starts are reported to `onError`; a Node
 * worker does not keep the process alive.
 */
export function startKernelWorker(host: KernelWorkerHost, data: KernelWorkerData, onError: (error: unknown) => void): KernelWorker {
  if (host === 'node') {
    const threads = workerThreads();
    if (threads === undefined) throw new Error('@resnext/layers: node:worker_threads is not available');
    const worker = new threads.Worker(NODE_SOURCE, { eval: true, workerData: data });
    worker.on('error', onError);
    worker.unref(); // idle workers must not keep the process alive
    return { terminate: () => void worker.terminate() };
  }
  browserSourceUrl ??= URL.createObjectURL(new Blob([BROWSER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(browserSourceUrl, { name: `resnext-kernels-${data.index}` });
  worker.onerror = (event) => onError(new Error(`@resnext/layers: kernel worker failed: ${event.message}`));
  worker.postMessage(data);
  return { terminate: () => worker.terminate() };
}
