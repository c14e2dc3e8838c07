/**
 * The shared control block of our kernel thread pool and how its threads split a call's work.
 * Plain functions without closures: their source is also the pool workers' (see kernel_workers.ts).
 */

/**
 * Entry points split by rows (or parts, or chunks): they take `(slot, first, end, ...args)`.
 * Their order is the pool workers' function table: extend at the end.
 */
export type RowKernel =
  | 'group_conv_forward'
  | 'group_conv_backprop_input'
  | 'group_conv_backprop_filter'
  | 'sum_parts'
  | 'batch_norm_train_sums'
  | 'batch_norm_train_affine'
  | 'bn_relu_backward';

export const ROW_KERNELS: readonly RowKernel[] = [
  'group_conv_forward',
  'group_conv_backprop_input',
  'group_conv_backprop_filter',
  'sum_parts',
  'batch_norm_train_sums',
  'batch_norm_train_affine',
  'bn_relu_backward',
];

// Layout of the control block (Int32 slots), then the arguments as float64 from ARGS_BYTES on.
/** Bumped per job; workers wait on it. */
export const SEQ = 0;
/** Workers still running the job; the caller waits on it. */
export const PENDING = 1;
/** Index into ROW_KERNELS, -1 = exit. */
export const FN = 2;
export const NARGS = 3;
/** Set by a worker whose call threw. */
export const FAILED = 4;
/** First unit not taken yet. */
export const NEXT = 5;
/** READY + i: worker i instantiated its module. */
export const READY = 8;
export const MAX_WORKERS = 16;
export const ARGS_BYTES = 4 * (READY + MAX_WORKERS);
export const MAX_ARGS = 32;

/**
 * Takes the next run of a call's units [0, total) from the shared counter `ctl[next]`: a share
 * 1 / (2 × threads) of the units still left, rounded down to whole `unit`s (at least one), or -1
 * once none are left; returns the run's first unit (its end is runEnd's).
 * Shrinking runs ("guided" scheduling) keep early runs long (each run restarts a kernel's blocks
 * and weight streams) and end every call with runs of one unit, so threads finish within one
 * unit of each other: with fixed runs of an eighth of the call, the calling thread waited
 * ≈ 0.1 ms per call for the last run (5 ms per ResNeXt-50 pass on 2 threads).
 */
export function takeRun(ctl: Int32Array, next: number, total: number, unit: number, threads: number): number {
  for (;;) {
    const first = Atomics.load(ctl, next);
    if (first >= total) return -1;
    if (Atomics.compareExchange(ctl, next, first, runEnd(first, total, unit, threads)) === first) return first;
  }
}

/** The end of the run takeRun hands out at `first` (a function of `first` alone, so every thread agrees). */
export function runEnd(first: number, total: number, unit: number, threads: number): number {
  const share = Math.floor((total - first) / (2 * threads * unit)) * unit;
  return Math.min(total, first + Math.max(unit, share));
}
