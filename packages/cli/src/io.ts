import type { InputFailure } from './errors/inputs_failed_error.js';

/** Where a command writes progress (a terminal gets a redrawn bar). */
export interface ProgressStream {
  isTTY?: boolean;
  write(s: string): unknown;
}

/** What a command produced: its output for stdout, and the inputs it could not process. */
export interface CommandOutput {
  stdout: string;
  /** Inputs that failed (the command's output covers the others); empty when all worked. */
  failures: readonly InputFailure[];
}
