/** Whether no value is NaN or ±Infinity. */
export function allFinite(values: Float32Array): boolean {
  // x * 0 is 0 for every finite x and NaN for NaN and ±Infinity: one multiply-add per element
  // (two accumulators to hide the add's latency).
  let a = 0;
  let b = 0;
  const n = values.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    a += values[i]! * 0;
    b += values[i + 1]! * 0;
  }
  if (i < n) a += values[i]! * 0;
  return a === 0 && b === 0;
}

/** How many values of `values` are NaN or ±Infinity, and the index of the first. */
function countNonFinite(values: Float32Array): { count: number; first: number } {
  if (allFinite(values)) return { count: 0, first: -1 };
  let count = 0;
  let first = -1;
  for (let j = 0; j < values.length; j++) {
    if (!Number.isFinite(values[j]!)) {
      count++;
      if (first < 0) first = j;
    }
  }
  return { count, first };
}

/**
 * What makes `values` unusable as the weight they are loaded into, or undefined: NaN or infinite
 * values anywhere (inference would return NaN), and negative values in a BatchNorm running
 * variance (its square root is NaN).
 */
export function valuesProblem(values: Float32Array | Int32Array, isVariance: boolean): string | undefined {
  if (!(values instanceof Float32Array)) return undefined;
  const bad = countNonFinite(values);
  if (bad.count > 0) {
    return `${bad.count} of ${values.length} values are NaN or infinite (the first, index ${bad.first}, is ${values[bad.first]})`;
  }
  if (isVariance) {
    const first = values.findIndex((v) => v < 0);
    if (first >= 0) return `running variance is negative (index ${first} is ${values[first]}); a variance is never below 0`;
  }
  return undefined;
}
