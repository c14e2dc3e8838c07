// What every hostile case must stay within: refusing bad input has to be cheap, whatever the input claims.

/** Wall time of a case's run(), in milliseconds. */
export const MAX_MS = 2000;
/** Peak resident memory during run(), above the baseline taken just before it, in MiB. */
export const MAX_MB = 200;
/** A child that has not reported after this long (imports included) is killed and reported as a hang. */
export const HARD_TIMEOUT_MS = 20_000;
