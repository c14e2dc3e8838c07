/**
 * max |a − b| / max |b|: how far `a` is from the reference `b`, relative to the reference's
 * largest magnitude — the measure every tolerance in the project's tests is stated in. Absolute
 * when the reference is all zeros. Arrays of different lengths are a mistake in the test, not a
 * large error: they throw.
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`relativeError: ${a.length} values against a reference of ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    // A NaN anywhere makes the error NaN, which fails every `< tolerance`.
    const d = Math.abs(a[i]! - b[i]!);
    diff = Number.isNaN(d) || Number.isNaN(diff) ? Number.NaN : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}
