// The public API: what docs/cli.md documents ("From a program"), and nothing else.
export { main, run, type MainStreams } from './main.js';
export type { ProgressStream } from './io.js';
export { EXIT, type ExitCode } from './exit_codes.js';
export { UsageError } from './errors/usage_error.js';
export { CliError } from './errors/cli_error.js';
export { InputsFailedError, type InputFailure } from './errors/inputs_failed_error.js';
