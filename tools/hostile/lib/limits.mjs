// What every hostile case must stay within: refusing bad input has to be cheap, whatever the input claims.

/** Wall time of a case's run(), in milliseconds. */
export const MAX_MS = 2000;
/** Peak resident memory during run(), above the baseline taken just before it, in MiB. */
export const MAX_MB = 200;
/** A run() that has not settled this long after it started is killed and reported as a hang. */
export const RUN_TIMEOUT_MS = 10_000;
/**
 * Loading a case (Node, the case file and the packages it imports) gets this long before the
 * child is killed: generous, since on a loaded machine imports alone take seconds, and it is not
 * part of what a case measures.
 */
export const STARTUP_TIMEOUT_MS = 60_000;
