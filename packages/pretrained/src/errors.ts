/**
 * Thrown when a weights file is malformed, truncated, inconsistent or of an unsupported kind.
 * The message names the file (`source`) and the problem; `source` is also a field for programs.
 */
export class WeightsFormatError extends Error {
  override name = 'WeightsFormatError';
  constructor(
    /** The file name, path or URL the bytes came from. */
    readonly source: string,
    problem: string,
  ) {
    super(`${source}: ${problem}`);
  }
}

/**
 * Thrown when a checkpoint's values cannot be weights of a working model: NaN or infinite values,
 * or a negative BatchNorm running variance. `key` is the state-dict key (`layer1.0.bn1.running_var`);
 * the message names the file, the key and the problem. A {@link WeightsFormatError}, so code that
 * handles bad files handles these too. Loaders take `checkValues: false` to skip the check.
 */
export class WeightsValueError extends WeightsFormatError {
  override name = 'WeightsValueError';
  constructor(
    source: string,
    /** The state-dict key of the offending tensor. */
    readonly key: string,
    problem: string,
  ) {
    super(source, `${key}: ${problem}`);
  }
}
