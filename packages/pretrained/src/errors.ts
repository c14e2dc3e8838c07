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
