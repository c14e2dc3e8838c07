import { parseArgs } from 'node:util';
import type { RecipeOverrides } from '../config/resolve.js';
import { closestName } from '@resnext/models';
import type { TorchrunLayout } from '../engines/torchrun.js';
import { BACKENDS, ENGINES, FLAGS, USAGE } from './flags.js';
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
  /** `--engine`: TensorFlow.js in this process (default) or PyTorch DDP through torchrun. */
  engine: (typeof ENGINES)[number];
  /** The process layout of `--engine=torchrun`. */
  torchrun: TorchrunLayout | undefined;
}

const OPTIONS = Object.fromEntries(FLAGS.map((f) => [f.name, f.short === undefined ? { type: f.type } : { type: f.type, short: f.short }]));

function unknownOption(raw: string): UsageError {
  const name = raw.replace(/^-+/, '').split('=')[0]!;
  const guess = closestName(name, FLAGS.map((f) => f.name));
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

/** `text` if it is one of `choices`, else a UsageError naming them and the likeliest meant one. */
function oneOf<T extends string>(flag: string, choices: readonly T[], text: string): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  const guess = closestName(text, choices);
  throw new UsageError(`--${flag} takes one of ${choices.join(', ')}; got '${text}'.${guess === undefined ? '' : ` Did you mean ${guess}?`}`);
}

/** The torchrun flags: only with --engine=torchrun, which needs --nproc-per-node; several machines need where to meet. */
function torchrunLayout(kind: TrainCommand['engine'], str: (name: string) => string | undefined): TorchrunLayout | undefined {
  const given = ['nproc-per-node', 'nnodes', 'node-rank', 'rdzv-endpoint'].filter((f) => str(f) !== undefined);
  if (kind !== 'torchrun') {
    if (given.length > 0) throw new UsageError(`--${given[0]} is a torchrun option: add --engine=torchrun.`);
    return undefined;
  }
  const count = (flag: string, min: number) => {
    const v = number(flag, str(flag), true);
    if (v !== undefined && v < min) throw new UsageError(`--${flag} must be at least ${min}, got ${v}.`);
    return v;
  };
  const nprocPerNode = count('nproc-per-node', 1);
  if (nprocPerNode === undefined) throw new UsageError('--engine=torchrun needs --nproc-per-node <n> (processes on this machine: one per GPU).');
  const nnodes = count('nnodes', 1) ?? 1;
  const nodeRank = count('node-rank', 0);
  const rdzvEndpoint = str('rdzv-endpoint');
  if (nnodes > 1 && (rdzvEndpoint === undefined || nodeRank === undefined)) {
    throw new UsageError(`--nnodes=${nnodes} needs --node-rank <r> and --rdzv-endpoint <host:port> (the address of node 0, the same on every machine).`);
  }
  if (nodeRank !== undefined && nodeRank >= nnodes) throw new UsageError(`--node-rank must be below --nnodes (${nnodes}), got ${nodeRank}.`);
  if (rdzvEndpoint !== undefined && !/^\S+:\d+$/.test(rdzvEndpoint)) throw new UsageError(`--rdzv-endpoint takes host:port, got '${rdzvEndpoint}'.`);
  return {
    nprocPerNode,
    nnodes,
    nodeRank: nodeRank ?? 0,
    ...(rdzvEndpoint !== undefined && { rdzvEndpoint }),
  };
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
  const backendName = str('backend');
  set('backend', backendName === undefined ? undefined : oneOf('backend', BACKENDS, backendName));
  set('dataDir', str('data-dir'));
  const engineName = str('engine');
  const kind = engineName === undefined ? 'tfjs' : oneOf('engine', ENGINES, engineName);
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
    engine: kind,
    torchrun: torchrunLayout(kind, str),
  };
}
