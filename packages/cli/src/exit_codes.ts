/**
 * The exit codes of the `resnext` command (documented in docs/cli.md). Scripts can tell a bad
 * command line (2) from weights, data or a backend that could not be used (3), and from a bug (70).
 */
export const EXIT = {
  /** Everything asked for was done. */
  ok: 0,
  /** Some inputs failed (e.g. an image that is missing or not an image); the others were processed and printed. */
  inputsFailed: 1,
  /** The command line is wrong: unknown command or option, bad value, unknown model or backend. Nothing was run. */
  usage: 2,
  /** An expected failure stopped the command: weights not downloadable, offline and not cached, corrupt or mismatched weights, no backend, missing data. */
  failed: 3,
  /** An unexpected error (a bug); `--debug` prints its stack trace. */
  internal: 70,
} as const;

/** One of the {@link EXIT} codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
