/**
 * Runs our wasm kernels on several threads. tfjs' threaded wasm build keeps its pthreads to
 * itself (XNNPACK's pool), so we keep a pool of our own: `threads - 1` workers (see
 * kernel_workers.ts), each instantiating the same kernel module on the same shared heap memory.
 * The row-split entry points take `(slot, first, end, ...)`: thread `slot` (its scratch share)
 * computes output rows [first, end), and every value is computed by the same instructions whatever
 * the split, so results are bit-identical to one thread. Reductions (filter gradients, batch-norm
 * channel sums) are cut into parts whose number depends on the shape alone; threads take whole
 * parts, each summing into a partial result of its own, and the partials are added in part order.
 * Threads take runs of rows from a shared counter until none are left (so a thread the OS delays,
 * on a busy machine, simply takes fewer), large runs first and ever smaller ones towards the end
 * (see takeRun); the calling thread takes part too and then waits until the workers have finished.
 *
 * Where: Node, browsers' dedicated Web Workers, and a cross-origin isolated page's main thread.
 * The main thread may not block in `Atomics.wait`, so there the caller polls for the workers'
 * completion instead, as tfjs' own threaded wasm build does on the main thread (the call is
 * synchronous either way: the page is busy for the length of the kernel). In a browser the pool's
 * workers start in the background (a nested worker starts only once its parent returns to its
 * event loop): calls run on one thread until they are up, then on all of them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { kernelInstance, type KernelInstance } from './kernel_module.js';
import { kernelWorkerHost, startKernelWorker, type KernelWorker, type KernelWorkerHost } from './kernel_workers.js';
import {
  ARGS_BYTES,
  FAILED,
  FN,
  MAX_ARGS,
  MAX_WORKERS,
  NARGS,
  NEXT,
  PENDING,
  READY,
  ROW_KERNELS,
  SEQ,
  runEnd,
  takeRun,
  type RowKernel,
} from './run_schedule.js';
import type { WasmBackend } from './wasm_backend.js';

export type { RowKernel } from './run_schedule.js';

/**
 * How long the calling thread polls the workers' completion before it sleeps on it: with runs
 * shrinking to one unit the last worker finishes within about one unit's time (tens of µs to a
 * few hundred), and a futex sleep and wake cost more than polling (the caller has nothing else to
 * do meanwhile). Workers do not poll for jobs: a spinning worker would take a core from tfjs' own
 * threads running the ops in between.
 */
const SPIN_MS = 1;
/** How long the first call in Node waits for the workers to start; after that our kernels run on the calling thread only. */
const START_TIMEOUT_MS = 5000;
/**
 * How long a page's main thread polls for the workers of one call before it gives up on the pool:
 * far beyond any kernel call (milliseconds), short enough that a worker the browser killed cannot
 * freeze the page for good.
 */
const PAGE_WAIT_LIMIT_MS = 30_000;

/** A pool of worker threads sharing one backend's heap. */
class KernelPool {
  readonly control = new SharedArrayBuffer(ARGS_BYTES + 8 * MAX_ARGS);
  readonly ctl = new Int32Array(this.control, 0, ARGS_BYTES / 4);
  readonly args = new Float64Array(this.control, ARGS_BYTES, MAX_ARGS);
  readonly workers: KernelWorker[] = [];
  ready = false;
  failed: unknown;

  constructor(
    readonly backend: WasmBackend,
    readonly instance: KernelInstance,
    readonly host: KernelWorkerHost,
    size: number,
  ) {
    for (let index = 0; index < size; index++) {
      const data = { module: instance.module, memory: instance.memory, control: this.control, index, names: ROW_KERNELS };
      this.workers.push(startKernelWorker(host, data, (error) => (this.failed = error)));
    }
  }

  /**
   * Whether every worker is running. Node waits for them up to `START_TIMEOUT_MS` (its workers start
   * while this thread blocks); a browser only looks, since nested workers start once the thread yields.
   */
  isReady(): boolean {
    if (this.ready || this.failed !== undefined) return this.ready;
    if (this.host === 'node') return this.waitReady(START_TIMEOUT_MS);
    for (let i = 0; i < this.workers.length; i++) if (Atomics.load(this.ctl, READY + i) === 0) return false;
    this.ready = true;
    return true;
  }

  /** Whether every worker is running; waits for them up to `timeoutMs`. */
  private waitReady(timeoutMs: number): boolean {
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
    if (this.host === 'page') this.pollDone(kernel);
    else {
      for (const until = performance.now() + SPIN_MS; Atomics.load(this.ctl, PENDING) > 0 && performance.now() < until; );
      for (let p = Atomics.load(this.ctl, PENDING); p > 0; p = Atomics.load(this.ctl, PENDING)) Atomics.wait(this.ctl, PENDING, p);
    }
    if (error !== undefined) throw error instanceof Error ? error : new Error(`@resnext/layers: ${kernel} failed`, { cause: error });
    if (Atomics.load(this.ctl, FAILED) !== 0) throw new Error(`@resnext/layers: ${kernel} failed on a worker thread`);
  }

  /** On a page's main thread (no `Atomics.wait`): polls until the workers are done, within PAGE_WAIT_LIMIT_MS. */
  private pollDone(kernel: RowKernel): void {
    const deadline = performance.now() + PAGE_WAIT_LIMIT_MS;
    while (Atomics.load(this.ctl, PENDING) > 0) {
      if (performance.now() > deadline) {
        this.failed = new Error(`@resnext/layers: kernel worker threads did not finish ${kernel} within ${PAGE_WAIT_LIMIT_MS} ms`);
        this.ready = false;
        throw this.failed;
      }
    }
  }

  terminate(): void {
    Atomics.store(this.ctl, FN, -1);
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
    for (const w of this.workers) w.terminate();
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
function backendThreads(backend: WasmBackend): number {
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
 * (Node or a Web Worker, shared memory, workers started), else 1. Allocate this many scratch shares per call.
 */
export function kernelThreads(backend: WasmBackend): number {
  return runsOverride !== undefined ? 1 : poolThreads(backend);
}

/** Threads our pool runs on for `backend`: its workers and the calling thread, or 1 without a pool (or while its workers start). */
function poolThreads(backend: WasmBackend): number {
  const pool = poolFor(backend);
  return pool === undefined ? 1 : pool.workers.length + 1;
}

/**
 * Whether our kernels run on at least as many threads as tfjs' own (XNNPACK's) on `backend`. Not
 * so where our pool cannot run while the backend has threads: a page that is not cross-origin
 * isolated, a browser thread until the pool's workers are up, or if they failed to start. A kernel that replaces one of
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
    const host = kernelWorkerHost();
    if (threads < 2 || !instance.shared || host === undefined) return undefined;
    sweepPools();
    pool = new KernelPool(backend, instance, host, threads - 1);
    pools.set(backend, pool);
  }
  return pool.isReady() ? pool : undefined;
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
