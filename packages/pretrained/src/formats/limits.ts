/**
 * Limits every reader applies before doing work or allocating memory proportional to a number
 * read from the file: a hostile header or pickle can state any size, so sizes are checked against
 * the file's length and against what a real model can hold.
 */

/** Most dimensions a tensor may have (PyTorch's own limit for most operations is 64). */
export const MAX_RANK = 64;

/**
 * Most elements a tensor may describe, counting zero-sized dimensions as 1: a 2^31-element tensor
 * is beyond what a typed array or a tfjs tensor holds, so a larger shape describes no real weight
 * even when it has no elements (`[1e9, 1e9, 0, 3]`).
 */
const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * The .pth reader's budget for decoded and gathered values: at most this many times the file's
 * size plus {@link OUTPUT_SLACK_BYTES}. Decoding widens at most 4× (uint8/bool → int32) and a
 * non-contiguous view is gathered once more, so any honest checkpoint stays within 8×.
 */
export const OUTPUT_BYTES_PER_FILE_BYTE = 8;

/** Constant part of the .pth reader's output budget (16 MiB), so small files are not starved. */
export const OUTPUT_SLACK_BYTES = 16 * 2 ** 20;

/** What is wrong with `shape` (rank or size beyond the limits), or undefined if it is sane. */
export function shapeProblem(shape: readonly number[]): string | undefined {
  if (shape.length > MAX_RANK) return `shape has ${shape.length} dimensions, more than the ${MAX_RANK} allowed`;
  let extent = 1;
  for (const d of shape) {
    extent *= Math.max(d, 1);
    if (extent > MAX_ELEMENTS) {
      return `shape [${shape.join(', ')}] spans more than ${MAX_ELEMENTS} elements (zero dimensions counted as 1): no real weight is that large`;
    }
  }
  return undefined;
}
