/** One input a command could not process, and why. */
export interface InputFailure {
  /** The input as given (an image path). */
  input: string;
  /** What went wrong, in a few words (`no such file`, `not a JPEG, PNG or WebP image`). */
  problem: string;
}

/**
 * Thrown by {@link run} when some inputs failed: `output` is what the command printed for the
 * others, `failures` says which failed and why. The `resnext` binary prints both and exits with 1.
 */
export class InputsFailedError extends Error {
  override name = 'InputsFailedError';
  constructor(
    /** The command's output for the inputs that worked (may be empty). */
    readonly output: string,
    readonly failures: readonly InputFailure[],
  ) {
    super(failures.map((f) => `${f.input}: ${f.problem}`).join('\n'));
  }
}
