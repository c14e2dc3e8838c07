/** What `loadStateDict` did not match, as PyTorch's `load_state_dict(strict=False)` reports: every key is a state-dict key (`layer1.0.conv1.weight`). */
export interface LoadStateDictResult {
  /** State-dict keys the model needs and the checkpoint lacks, e.g. `fc.weight`, `layer1.0.bn1.running_var` (a mis-shaped key is listed in `mismatchedKeys` only). */
  missingKeys: string[];
  /** State-dict keys of the checkpoint that match no weight of the model. */
  unexpectedKeys: string[];
  /** Keys whose tensor has the wrong shape: `key: checkpoint [..] vs model [..]` (shapes in tfjs layout, HWIO for convolutions). */
  mismatchedKeys: string[];
}

/** How many keys of each list the message of a {@link StateDictMismatchError} names; `result` holds them all. */
export const MISMATCH_MESSAGE_KEYS = 5;

/** `a, b, c … and 12 more`: the first `limit` items of a list and how many were left out. */
export function boundedList(items: readonly string[], limit: number, separator = ', '): string {
  const shown = items.slice(0, limit).join(separator);
  return items.length > limit ? `${shown} … and ${items.length - limit} more` : shown;
}

/**
 * Thrown in strict mode when a checkpoint and the model disagree. The message counts the missing,
 * unexpected and mis-shaped keys and names the first {@link MISMATCH_MESSAGE_KEYS} of each, in
 * torchvision's state-dict naming; `result` lists every key, `source` names the checkpoint.
 */
export class StateDictMismatchError extends Error {
  override name = 'StateDictMismatchError';
  /** The file name, path or URL of the checkpoint. */
  readonly source: string;

  constructor(
    /** Every missing, unexpected and mis-shaped key. */
    readonly result: LoadStateDictResult,
    source: string,
  ) {
    const { missingKeys: missing, unexpectedKeys: unexpected, mismatchedKeys: mismatched } = result;
    const counts = [
      missing.length ? `${missing.length} missing` : '',
      unexpected.length ? `${unexpected.length} unexpected` : '',
      mismatched.length ? `${mismatched.length} mis-shaped` : '',
    ].filter(Boolean);
    const parts = [
      missing.length ? `missing in the checkpoint: ${boundedList(missing, MISMATCH_MESSAGE_KEYS)}` : '',
      unexpected.length ? `unexpected in the checkpoint: ${boundedList(unexpected, MISMATCH_MESSAGE_KEYS)}` : '',
      mismatched.length ? `shape mismatch: ${boundedList(mismatched, MISMATCH_MESSAGE_KEYS, '; ')}` : '',
    ].filter(Boolean);
    super(`${source} does not fit the model (wrong architecture?): ${counts.join(', ')} state-dict keys — ${parts.join(' | ')}`);
    this.source = source;
  }
}
