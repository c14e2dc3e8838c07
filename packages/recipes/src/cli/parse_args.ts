import { parseArgs } from 'node:util';
import type { RecipeOverrides } from '../config/resolve.js';
import { closest } from '../util/closest.js';
import { BACKENDS, FLAGS, USAGE } from './flags.js';
import { UsageError } from './usage_error.js';

export { USAGE };

/** What the train command was asked to do. Paths are as typed (relative to {@link TrainCommand.cwd}). */
export interface TrainCommand {
  recipe: string | undefined;
  /** A recipe as a JSON file (a RecipeConfig), instead of a shipped one. */
  recipeFile: string | undefined;
  list: boolean;
  /** `--help`, `-h`, or the word `help`. */
  help: boolean;
  out: string | undefined;
  resume: boolean;
  /** With `--resume --epochs`: accept a schedule stretched over the new length. */
  reschedule: boolean;
  /** `--cwd`: the directory relative paths start from. */
  cwd: string | undefined;
  /** Only the overrides given on the command line (`quick` only when set). */
  overrides: RecipeOverrides;
}

const OPTIONS = Object.fromEntries(FLAGS.map((f) => [f.name, f.short === undefined ? { type: f.type } : { type: f.type, short: f.short }]));

function unknownOption(raw: string): UsageError {
  const name = raw.replace(/^-+/, '').split('=')[0]!;
  const guess = closest(name, FLAGS.map((f) => f.name));
  return new UsageError(`unknown option '${raw}'.${guess === undefined ? '' : ` Did you mean --${guess}?`}`);
}

function number(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new UsageError(`--${flag} takes ${integer ? 'an integer' : 'a number'}, got '${text}'.`);
  }
  return v;
}

function backend(text: string | undefined): RecipeOverrides['backend'] {
  if (text === undefined) return undefined;
  if ((BACKENDS as readonly string[]).includes(text)) return text as RecipeOverrides['backend'];
  const guess = closest(text, BACKENDS);
  throw new UsageError(`--backend takes one of ${BACKENDS.join(', ')}; got '${text}'.${guess === undefined ? '' : ` Did you mean ${guess}?`}`);
}

/**
 * Checks every token: unknown options (with the closest known flag), values missing or given
 * to a flag that takes none, stray positional arguments (only `help` is accepted).
 */
function checkTokens(argv: readonly string[]): { values: Record<string, string | boolean | undefined>; helpWord: boolean } {
  const { values, tokens } = parseArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  let helpWord = false;
  for (const t of tokens) {
    if (t.kind === 'positional') {
      if (t.value === 'help') helpWord = true;
      else throw new UsageError(`unexpected argument '${t.value}' (options start with --, e.g. --recipe=${t.value}).`);
    } else if (t.kind === 'option') {
      const spec = FLAGS.find((f) => f.name === t.name);
      if (spec === undefined) throw unknownOption(t.rawName);
      if (spec.type === 'boolean' && t.value !== undefined) throw new UsageError(`${t.rawName} takes no value, got '${t.value}'.`);
      if (spec.type === 'string' && (t.value === undefined || (t.inlineValue !== true && t.value.startsWith('--')))) {
        throw new UsageError(`${t.rawName} needs a value: ${t.rawName} ${spec.value ?? '<value>'}.`);
      }
    }
  }
  return { values, helpWord };
}

/** Parses the train command's arguments; throws {@link UsageError} for anything it cannot run. */
export function parseTrainArgs(argv: readonly string[]): TrainCommand {
  const { values, helpWord } = checkTokens(argv);
  const str = (name: string) => values[name] as string | undefined;
  const flag = (name: string) => values[name] === true;
  const overrides: RecipeOverrides = {};
  const set = <K extends keyof RecipeOverrides>(key: K, v: RecipeOverrides[K] | undefined) => {
    if (v !== undefined) overrides[key] = v;
  };
  if (flag('quick')) overrides.quick = true;
  set('epochs', number('epochs', str('epochs'), true));
  set('batchSize', number('batch-size', str('batch-size'), true));
  set('lr', number('lr', str('lr'), false));
  set('threads', number('threads', str('threads'), true));
  set('seed', number('seed', str('seed'), true));
  set('backend', backend(str('backend')));
  set('dataDir', str('data-dir'));
  return {
    recipe: str('recipe'),
    recipeFile: str('recipe-file'),
    list: flag('list'),
    help: flag('help') || helpWord,
    out: str('out'),
    resume: flag('resume'),
    reschedule: flag('reschedule'),
    cwd: str('cwd'),
    overrides,
  };
}
