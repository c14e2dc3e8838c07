import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors/usage_error.js';
import { closestName } from '@resnext/models';

/** Options every command accepts (handled before the command's own parsing). */
const GLOBAL_FLAGS = ['--help', '-h', '--debug'] as const;

/** The option spellings a parseArgs config accepts (`--top`, `-h`, …), plus the global flags. */
function optionNames(options: ParseArgsConfig['options']): string[] {
  const names = Object.entries(options ?? {}).flatMap(([name, spec]) => [`--${name}`, ...(spec.short === undefined ? [] : [`-${spec.short}`])]);
  return [...names, ...GLOBAL_FLAGS.filter((f) => !names.includes(f))];
}

/** The message of an unknown option, naming the closest valid one (or listing them all). */
function unknownOptionMessage(command: string, given: string, valid: readonly string[]): string {
  const long = valid.filter((v) => v.startsWith('--'));
  const suggestion = closestName(given.replace(/=.*$/, ''), long);
  return suggestion !== undefined
    ? `unknown option '${given}'; did you mean ${suggestion}?`
    : `unknown option '${given}'; its options are ${long.join(', ')}`;
}

const parseArgsCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS') ? code : undefined;
};

/**
 * `parseArgs` (strict unless `config.strict` is false), with its errors turned into {@link UsageError}s a user can act on:
 * an unknown option names the closest valid one, a missing value names the option.
 *
 * @throws UsageError for any command line `parseArgs` rejects.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = parseArgsCode(error);
    if (code === undefined) throw error;
    const message = (error as Error).message;
    const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
    switch (code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(unknownOptionMessage(command, quoted, optionNames(config.options)), command);
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        throw new UsageError(`${command} takes no argument '${quoted}'`, command);
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
        const option = quoted.split(' ')[0] ?? quoted;
        const isFlag = message.includes('does not take an argument');
        throw new UsageError(isFlag ? `option ${option} takes no value` : `option ${option} needs a value`, command);
      }
      default:
        throw new UsageError(message, command);
    }
  }
}

/** A positive integer option value; `name` is used in the message. @throws UsageError otherwise. */
export function positiveInteger(command: string, name: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got '${text}'`, command);
  return n;
}
