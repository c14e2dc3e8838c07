/**
 * An expected failure the CLI itself detects (a `--weights` file that is not there, say): `message`
 * says what went wrong, `hint` what to do. The binary prints both and exits with 3.
 */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    /** What to do about it, one line. */
    readonly hint?: string,
  ) {
    super(message);
  }
}
