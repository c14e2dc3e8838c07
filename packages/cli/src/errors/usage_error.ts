/**
 * Thrown for a command line that cannot run (unknown command or option, bad value). The message
 * says what is wrong; `command` names the subcommand whose `--help` to point at, if any.
 */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The subcommand the error is about (`classify`), or undefined for the top level. */
    readonly command?: string,
  ) {
    super(message);
  }
}
