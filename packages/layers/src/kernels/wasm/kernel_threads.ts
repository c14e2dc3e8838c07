/**
 * Runs our wasm kernels on several threads. tfjs' threaded wasm build keeps its pthreads to
 * itself (XNNPACK's pool), so we keep a pool of our own: in Node, `threads - 1` worker_threads,
 * each instantiating the same kernel module on the same shared heap memory. The row-split entry
 * points take `(slot, first, end, ...)`: thread `slot` (its scratch share) computes output rows
 * [first, end), and every value is computed by the same instructions whatever the split, so
 * results are bit-identical to one thread. Threads take runs of rows from a shared counter until
 * none are left (so a thread the OS delays, on a busy machine, simply takes fewer), large runs
 * first and ever smaller ones towards the end (see takeRun); the calling thread takes part too and
 * then blocks in `Atomics.wait` until the workers have finished.
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
 * How long the calling thread polls the workers' completion before it sleeps on it: with runs
 * shrinking to one unit the last worker finishes within about one unit's time (tens of µs to a
 * few hundred), and a futex sleep and wake cost more than polling (the caller has nothing else to
 * do meanwhile). Workers do not poll for jobs: a spinning worker would take a core from tfjs' own
 * threads running the ops in between.
 */
const SPIN_MS = 1;
/** How long the first call waits for the workers to start; after that our kernels run on the calling thread only. */
const START_TIMEOUT_MS = 5000;

/**
 * Takes the next run of a call's units [0, total) from the shared counter `ctl[next]`: a share
 * 1 / (2 × threads) of the units still left, rounded down to whole `unit`s (at least one), or -1
 * once none are left; returns the run's first unit (its end is runEnd's).
 * Shrinking runs ("guided" scheduling) keep early runs long (each run restarts a kernel's blocks
 * and weight streams) and end every call with runs of one unit, so threads finish within one
 * unit of each other: with fixed runs of an eighth of the call, the calling thread waited
 * ≈ 0.1 ms per call for the last run (5 ms per ResNeXt-50 pass on 2 threads).
 * Plain JavaScript without closures: its source is also the workers' (see WORKER_SOURCE).
 */
function takeRun(ctl: Int32Array, next: number, total: number, unit: number, threads: number): number {
  for (;;) {
    const first = Atomics.load(ctl, next);
    if (first >= total) return -1;
    if (Atomics.compareExchange(ctl, next, first, runEnd(first, total, unit, threads)) === first) return first;
  }
}

/** The end of the run takeRun hands out at `first` (a function of `first` alone, so every thread agrees). */
function runEnd(first: number, total: number, unit: number, threads: number): number {
  const share = Math.floor((total - first) / (2 * threads * unit)) * unit;
  return Math.min(total, first + Math.max(unit, share));
}

// The worker: instantiate, report ready, then run jobs forever (waiting on SEQ between jobs).
// A job's arguments: total rows, the unit runs are made of, threads, then the entry point's own arguments.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
${takeRun.toString()}
${runEnd.toString()}
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

  /** Rows [0, total) of `kernel` in runs of whole `unit`s (see takeRun), on every thread of the pool. */
  run(kernel: RowKernel, total: number, unit: number, args: readonly number[]): void {
    if (args.length + 3 > MAX_ARGS) throw new RangeError(`@resnext/layers: ${kernel} has more than ${MAX_ARGS - 3} arguments`);
    const threads = this.workers.length + 1;
    this.args[0] = total;
    this.args[1] = unit;
    this.args[2] = threads;
    this.args.set(args, 3);
    Atomics.store(this.ctl, FN, ROW_KERNELS.indexOf(kernel));
    Atomics.store(this.ctl, NARGS, args.length + 3);
    Atomics.store(this.ctl, FAILED, 0);
    Atomics.store(this.ctl, NEXT, 0);
    Atomics.store(this.ctl, PENDING, this.workers.length);
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
    let error: unknown;
    try {
      const fn: (...a: number[]) => void = this.instance.exports[kernel];
      for (let first; (first = takeRun(this.ctl, NEXT, total, unit, threads)) >= 0; ) {
        fn(0, first, runEnd(first, total, unit, threads), ...args);
      }
    } catch (e) {
      error = e;
    }
    // The workers write into the caller's tensors: never return before they are done.
    for (const until = performance.now() + SPIN_MS; Atomics.load(this.ctl, PENDING) > 0 && performance.now() < until; );
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
  return runsOverride !== undefined ? 1 : poolThreads(backend);
}

/** Threads our pool runs on for `backend`: its workers and the calling thread, or 1 without a pool. */
function poolThreads(backend: WasmBackend): number {
  const pool = poolFor(backend);
  return pool === undefined ? 1 : pool.workers.length + 1;
}

/**
 * Whether our kernels run on at least as many threads as tfjs' own (XNNPACK's) on `backend`. Not
 * so where our pool cannot run while the backend has threads: in browsers (their main thread may
 * not block in `Atomics.wait`), or if the workers failed to start. A kernel that replaces one of
 * tfjs' only for speed must then leave it to tfjs: one thread of ours against several of theirs loses.
 */
export function kernelsKeepUp(backend: WasmBackend): boolean {
  return poolThreads(backend) >= backendThreads(backend);
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
 * runs of whole `unit`s of rows (default 1), long ones first (see takeRun).
 */
export function runRows(backend: WasmBackend, kernel: RowKernel, threads: number, total: number, args: readonly number[], unit = 1): void {
  const pool = threads > 1 ? poolFor(backend) : undefined;
  if (pool !== undefined && pool.workers.length + 1 === threads) {
    pool.run(kernel, total, unit, args);
    return;
  }
  const fn: (...a: number[]) => void = kernelInstance(backend).exports[kernel];
  const run = runsOverride === undefined ? total : Math.max(1, Math.ceil(total / runsOverride));
  for (let first = 0; first < total; first += run) fn(0, first, Math.min(first + run, total), ...args);
}
