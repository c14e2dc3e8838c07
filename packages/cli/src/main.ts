import { readFileSync } from 'node:fs';
import { closestName } from '@resnext/models';
import type { ErrorContext } from './errors/described.js';
import { formatError } from './errors/format_error.js';
import { InputsFailedError } from './errors/inputs_failed_error.js';
import { UsageError } from './errors/usage_error.js';
import { EXIT, type ExitCode } from './exit_codes.js';
import { COMMANDS, helpText, isCommand, wantsHelp, type CommandName } from './help.js';
import type { CommandOutput, ProgressStream } from './io.js';

export { UsageError } from './errors/usage_error.js';
export type { ProgressStream } from './io.js';

const TOP_LEVEL_FLAGS = ['--help', '-h', '--version', '--debug'];

/**
 * Takes the global `--debug` flag out of an argument list (anywhere before `--`); env
 * `RESNEXT_DEBUG=1` turns it on too.
 */
function splitGlobalFlags(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): { argv: string[]; debug: boolean } {
  const end = argv.indexOf('--');
  const head = end < 0 ? [...argv] : argv.slice(0, end);
  const tail = end < 0 ? [] : argv.slice(end);
  const rest = head.filter((a) => a !== '--debug');
  return { argv: [...rest, ...tail], debug: rest.length !== head.length || /^(1|true|yes|on)$/i.test(env['RESNEXT_DEBUG'] ?? '') };
}

/** The version of @resnext/cli. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function unknownCommand(command: string): UsageError {
  const suggestion = closestName(command, COMMANDS);
  return new UsageError(`unknown command '${command}'${suggestion === undefined ? '' : `; did you mean ${suggestion}?`} (commands: ${COMMANDS.join(', ')})`);
}

/** Runs one subcommand; the commands are imported on demand, so `--help` starts fast. */
async function runCommand(command: Exclude<CommandName, 'help'>, argv: readonly string[], stderr: ProgressStream): Promise<CommandOutput> {
  switch (command) {
    case 'classify':
      return (await import('./commands/classify.js')).classifyCommand(argv, stderr);
    case 'fashion-mnist':
      return { stdout: await (await import('./commands/fashion_mnist.js')).fashionMnistCommand(argv, stderr), failures: [] };
    case 'models':
      return { stdout: (await import('./commands/models.js')).modelsCommand(argv), failures: [] };
    case 'weights':
      return { stdout: await (await import('./commands/weights.js')).weightsCommand(argv), failures: [] };
  }
}

/** Runs a command line (global flags already removed) and returns what it produced. */
async function dispatch(argv: readonly string[], stderr: ProgressStream): Promise<CommandOutput> {
  const [command, ...rest] = argv;
  const text = (stdout: string): CommandOutput => ({ stdout, failures: [] });
  if (command === undefined || command === '--help' || command === '-h') return text(helpText());
  if (command === '--version') return text(version());
  if (command.startsWith('-')) {
    const suggestion = closestName(command, TOP_LEVEL_FLAGS.filter((f) => f.startsWith('--')));
    throw new UsageError(`unknown option '${command}'${suggestion === undefined ? '' : `; did you mean ${suggestion}?`} (a command comes first: resnext <command> [options])`);
  }
  if (!isCommand(command)) throw unknownCommand(command);
  if (wantsHelp(rest)) return text(helpText(command));
  if (command === 'help') {
    const topic = rest.find((a) => !a.startsWith('-'));
    if (topic === undefined) return text(helpText());
    if (!isCommand(topic)) throw unknownCommand(topic);
    return text(helpText(topic));
  }
  return runCommand(command, rest, stderr);
}

/**
 * Runs the `resnext` command with `argv` (without `node` and the script path) and returns what
 * it prints on stdout; progress goes to `stderr`. Kept free of `process` output so it can be used
 * and tested directly.
 *
 * @throws UsageError for a bad command line; {@link InputsFailedError} when some inputs failed
 *   (its `output` holds the others' results); the packages' typed errors otherwise.
 */
export async function run(argv: readonly string[], stderr: ProgressStream = { write: () => true }): Promise<string> {
  const out = await dispatch(splitGlobalFlags(argv).argv, stderr);
  if (out.failures.length > 0) throw new InputsFailedError(out.stdout, out.failures);
  return out.stdout;
}

/** What the terminal sees of a command. */
export interface MainStreams {
  stdout: { write(s: string): unknown };
  stderr: ProgressStream;
}

/** What error messages can say about the command line: the subcommand and `--cache-dir`. */
function errorContext(argv: readonly string[]): ErrorContext {
  const command = argv[0] !== undefined && isCommand(argv[0]) ? argv[0] : undefined;
  const at = argv.indexOf('--cache-dir');
  const cacheDir = at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith('--cache-dir='))?.slice('--cache-dir='.length);
  return { ...(command !== undefined && { command }), ...(cacheDir !== undefined && { cacheDir }) };
}

/**
 * The `resnext` binary: runs `argv`, prints the output on stdout, one line per failed input and
 * any error (one to three lines; with `--debug` its stack too) on stderr, and returns the exit
 * code (see {@link EXIT}).
 */
export async function main(argv: readonly string[], streams: MainStreams): Promise<ExitCode> {
  const { argv: args, debug } = splitGlobalFlags(argv);
  try {
    const out = await dispatch(args, streams.stderr);
    if (out.stdout !== '') streams.stdout.write(`${out.stdout}\n`);
    for (const failure of out.failures) streams.stderr.write(`resnext: ${failure.input}: ${failure.problem}\n`);
    return out.failures.length > 0 ? EXIT.inputsFailed : EXIT.ok;
  } catch (error) {
    const { text, exitCode } = await formatError(error, errorContext(args), debug);
    streams.stderr.write(`${text}\n`);
    return exitCode;
  }
}
