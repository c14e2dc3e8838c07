import type { ExitCode } from '../exit_codes.js';

/** An error told in one to three lines: what went wrong, an optional detail, and what to do. */
export interface Described {
  /** What went wrong (one line). */
  message: string;
  /** A second line of facts (the keys that disagree, the partial download kept), if any. */
  detail?: string;
  /** What to do about it (one line), if anything. */
  hint?: string;
  exitCode: ExitCode;
}

/** What the CLI knows when an error reaches it, used to make hints concrete. */
export interface ErrorContext {
  /** The subcommand that ran (`classify`), if any. */
  command?: string;
  /** `--cache-dir` as given, to name cache files. */
  cacheDir?: string;
}

/** Whether `error` is an Error whose `name` is `name` (the packages' error classes set theirs); a guard for its type. */
export function isNamed<T extends Error>(error: unknown, name: string): error is T {
  return error instanceof Error && error.name === name;
}

/** The first line of a message, cut to `max` characters. */
export function firstLine(text: string, max = 300): string {
  const line = text.split('\n', 1)[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A message of the form `<prefix>: <rest>` without its prefix (errors that name their URL or file first). */
export function withoutPrefix(message: string, prefix: string): string {
  return message.startsWith(`${prefix}: `) ? message.slice(prefix.length + 2) : message;
}
