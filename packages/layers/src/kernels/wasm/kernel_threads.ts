/**
 * Runs our wasm kernels on several threads. tfjs' threaded wasm build keeps its pthreads to
 * itself (XNNPACK's pool), so we keep a pool of our own: in Node, `threads - 1` worker_threads,
 * each instantiating the same kernel module on the same shared heap memory. The row-split entry
 * points take `(slot, first, end, ...)`: thread `slot` (its scratch share) computes output rows
 * [first, end), and every value is computed by the same instructions whatever the split, so
 * results are bit-identical to one thread. Threads take runs of rows from a shared counter until
 * none are left (so a thread the OS delays, on a busy machine, simply takes fewer); the calling
 * thread takes part too and then blocks in `Atomics.wait` until the workers have finished.
 *
 * Browsers: the main thread may not block in `Atomics.wait`, so there our kernels run on one
 * thread (tfjs' own kernels still use all of the backend's threads).
 */
import * as tf from '@tensorflow/tfjs-core';
import { kernelInstance, type KernelInstance } from './kernel_module.js';
import type { WasmBackend } from './wasm_backend.js';

/** Entry points split by rows: they take `(slot, first, end, ...args)`. */
export type RowKernel = 'group_conv_forward' | 'group_conv_backprop_input';

const ROW_KERNELS: readonly RowKernel[] = ['group_conv_forward', 'group_conv_backprop_input'];

// Layout of the control block (Int32 slots), then the arguments as float64 from ARGS_BYTES on.
const SEQ = 0; // bumped per job; workers wait on it
const PENDING = 1; // workers still running the job; the caller waits on it
const FN = 2; // index into ROW_KERNELS, -1 = exit
const NARGS = 3;
const FAILED = 4; // set by a worker whose call threw
const NEXT = 5; // first row not taken yet
const READY = 8; // READY + i: worker i instantiated its module
const MAX_WORKERS = 16;
const ARGS_BYTES = 4 * (READY + MAX_WORKERS);
const MAX_ARGS = 32;
/**
 * Polls of the workers' completion before the calling thread sleeps on it: they usually finish
 * within microseconds of it, and a futex sleep and wake cost more. Workers do not poll for jobs:
 * a spinning worker would take a core from tfjs' own threads running the ops in between.
 */
const SPINS = 2000;
/** How long the first call waits for the workers to start; after that our kernels run on the calling thread only. */
const START_TIMEOUT_MS = 5000;

/**
 * Runs of rows per thread a call is cut into, at least: fine enough to even out threads the OS
 * delays. Run lengths round down, so there are never fewer runs than this (14 rows on 2 threads:
 * 14 runs of 1, not 7 runs of 2, which split 4 against 3).
 */
const RUNS_PER_THREAD = 4;

// The worker: instantiate, report ready, then run jobs forever (waiting on SEQ between jobs).
// A job's arguments: total rows, rows per run, then the entry point's own arguments.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, index, names } = workerData;
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
  const total = args[0], step = args[1], rest = Array.from(args.subarray(2, Atomics.load(ctl, ${NARGS})));
  try {
    for (let first = Atomics.add(ctl, ${NEXT}, step); first < total; first = Atomics.add(ctl, ${NEXT}, step)) {
      fns[fn](index + 1, first, Math.min(first + step, total), ...rest);
    }
  } catch {
    Atomics.store(ctl, ${FAILED}, 1);
  }
  if (Atomics.sub(ctl, ${PENDING}, 1) === 1) Atomics.notify(ctl, ${PENDING});
}
`;

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

/** A pool of worker threads sharing one backend's heap. */
class KernelPool {
  readonly control = new SharedArrayBuffer(ARGS_BYTES + 8 * MAX_ARGS);
  readonly ctl = new Int32Array(this.control, 0, ARGS_BYTES / 4);
  readonly args = new Float64Array(this.control, ARGS_BYTES, MAX_ARGS);
  readonly workers: NodeWorker[] = [];
  ready = false;
  failed: unknown;

  constructor(
    readonly backend: WasmBackend,
    readonly instance: KernelInstance,
    threads: WorkerThreads,
    size: number,
  ) {
    for (let index = 0; index < size; index++) {
      const worker = new threads.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: instance.module, memory: instance.memory, control: this.control, index, names: ROW_KERNELS },
      });
      worker.on('error', (error) => (this.failed = error));
      worker.unref(); // idle workers must not keep the process alive
      this.workers.push(worker);
    }
  }

  /** Whether every worker is running; waits for them up to `timeoutMs`. */
  waitReady(timeoutMs: number): boolean {
    if (this.ready) return true;
    const deadline = performance.now() + timeoutMs;
    for (let i = 0; i < this.workers.length; i++) {
      while (Atomics.load(this.ctl, READY + i) === 0) {
        const left = deadline - performance.now();
        if (this.failed !== undefined) return false;
        if (left <= 0) {
          // Never block every call on workers that do not come up: run on this thread from now on.
          this.failed = new Error(`@resnext/layers: kernel worker threads did not start within ${timeoutMs} ms`);
          return false;
        }
        Atomics.wait(this.ctl, READY + i, 0, left);
      }
    }
    this.ready = true;
    return true;
  }

  /** Rows [0, total) of `kernel` in runs of `step`, on every thread of the pool. */
  run(kernel: RowKernel, total: number, step: number, args: readonly number[]): void {
    if (args.length + 2 > MAX_ARGS) throw new RangeError(`@resnext/layers: ${kernel} has more than ${MAX_ARGS - 2} arguments`);
    this.args[0] = total;
    this.args[1] = step;
    this.args.set(args, 2);
    Atomics.store(this.ctl, FN, ROW_KERNELS.indexOf(kernel));
    Atomics.store(this.ctl, NARGS, args.length + 2);
    Atomics.store(this.ctl, FAILED, 0);
    Atomics.store(this.ctl, NEXT, 0);
    Atomics.store(this.ctl, PENDING, this.workers.length);
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
    let error: unknown;
    try {
      const fn: (...a: number[]) => void = this.instance.exports[kernel];
      for (let first = Atomics.add(this.ctl, NEXT, step); first < total; first = Atomics.add(this.ctl, NEXT, step)) {
        fn(0, first, Math.min(first + step, total), ...args);
      }
    } catch (e) {
      error = e;
    }
    // The workers write into the caller's tensors: never return before they are done.
    for (let i = 0; i < SPINS && Atomics.load(this.ctl, PENDING) > 0; i++);
    for (let p = Atomics.load(this.ctl, PENDING); p > 0; p = Atomics.load(this.ctl, PENDING)) Atomics.wait(this.ctl, PENDING, p);
    if (error !== undefined) throw error instanceof Error ? error : new Error(`@resnext/layers: ${kernel} failed`, { cause: error });
    if (Atomics.load(this.ctl, FAILED) !== 0) throw new Error(`@resnext/layers: ${kernel} failed on a worker thread`);
  }

  terminate(): void {
    Atomics.store(this.ctl, FN, -1);
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
    for (const w of this.workers) void w.terminate();
  }
}

const pools = new Map<WasmBackend, KernelPool>();

/** Ends the pools of backends tfjs no longer holds (a backend restarted with another thread count). */
function sweepPools(): void {
  const live = new Set<unknown>(Object.values(tf.engine().registry));
  for (const [backend, pool] of pools) {
    if (live.has(backend)) continue;
    pool.terminate();
    pools.delete(backend);
  }
}

/** Threads tfjs-backend-wasm runs XNNPACK on (1 for the single-threaded builds). */
export function backendThreads(backend: WasmBackend): number {
  return backend.wasm.tfjs?.getThreadsCount?.() ?? 1;
}

let runsOverride: number | undefined;

/**
 * Testing only: cut every row-split kernel call into `runs` runs of rows, run one after the other
 * on the calling thread (undefined restores the default: the backend's threads). Shows that the
 * split itself does not change results, on any build.
 */
export function setKernelRunsForTesting(runs: number | undefined): void {
  runsOverride = runs;
}

/**
 * Threads `backend`'s kernel calls run on: the backend's thread count where our pool can run
 * (Node, shared memory, workers started), else 1. Allocate this many scratch shares per call.
 */
export function kernelThreads(backend: WasmBackend): number {
  if (runsOverride !== undefined) return 1;
  const pool = poolFor(backend);
  return pool === undefined ? 1 : pool.workers.length + 1;
}

function poolFor(backend: WasmBackend): KernelPool | undefined {
  let pool = pools.get(backend);
  if (pool !== undefined && pool.instance !== kernelInstance(backend)) {
    // The kernels were re-instantiated (relaxed SIMD switched on): start over with the new module.
    pool.terminate();
    pools.delete(backend);
    pool = undefined;
  }
  if (pool === undefined) {
    const threads = Math.min(backendThreads(backend), MAX_WORKERS + 1);
    const instance = kernelInstance(backend);
    const nodeThreads = workerThreads();
    if (threads < 2 || !instance.shared || nodeThreads === undefined) return undefined;
    sweepPools();
    pool = new KernelPool(backend, instance, nodeThreads, threads - 1);
    pools.set(backend, pool);
  }
  return pool.failed === undefined && pool.waitReady(START_TIMEOUT_MS) ? pool : undefined;
}

/**
 * The number of ways a kernel call's work is cut: `threads` (from {@link kernelThreads}), or when
 * testing, the runs set by {@link setKernelRunsForTesting}. Kernels that choose a split of their
 * own (channel parts) plan for this many.
 */
export function splitWays(threads: number): number {
  return runsOverride ?? threads;
}

/**
 * Runs `kernel(slot, first, end, ...args)` over rows [0, total) on `threads` threads (from
 * {@link kernelThreads}, with that many scratch shares), or on this thread alone. Threads take
 * runs of `step` rows (default: at least RUNS_PER_THREAD runs per thread where there are enough rows).
 */
export function runRows(backend: WasmBackend, kernel: RowKernel, threads: number, total: number, args: readonly number[], step?: number): void {
  const pool = threads > 1 ? poolFor(backend) : undefined;
  if (pool !== undefined && pool.workers.length + 1 === threads) {
    pool.run(kernel, total, step ?? Math.max(1, Math.floor(total / (threads * RUNS_PER_THREAD))), args);
    return;
  }
  const fn: (...a: number[]) => void = kernelInstance(backend).exports[kernel];
  const run = runsOverride === undefined ? total : Math.max(1, Math.ceil(total / runsOverride));
  for (let first = 0; first < total; first += run) fn(0, first, Math.min(first + run, total), ...args);
}
