/**
 * A command line the trainer cannot run: an unknown flag, a bad value, a missing or extra argument.
 * The CLI prints the message and the usage, and exits with code 2.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
