import { parseArgs } from 'node:util';
import type { RecipeOverrides } from '../config/resolve.js';
import { RecipeConfigError } from '../config/resolve.js';

/** What the train command was asked to do. */
export interface TrainCommand {
  recipe: string | undefined;
  /** A recipe as a JSON file (a RecipeConfig), instead of a shipped one. */
  recipeFile: string | undefined;
  list: boolean;
  help: boolean;
  out: string | undefined;
  resume: boolean;
  overrides: RecipeOverrides;
}

/** The command-line usage text. */
export const USAGE = `Usage: resnext-train --recipe <name> [options]
  --recipe <name>      a shipped recipe (--list shows them)
  --recipe-file <f>    a recipe as a JSON file (a RecipeConfig)
  --epochs <n>         override the number of epochs
  --batch-size <n>     override the batch size
  --lr <x>             override the base learning rate
  --backend <name>     wasm | cpu | webgl | webgpu | node | node-gpu | tensorflow
  --threads <n>        wasm threads
  --seed <n>           seed of init, data order and augmentation
  --data-dir <dir>     dataset folder
  --quick              the recipe's short variant (checks the whole pipeline)
  --out <dir>          run directory (default runs/<recipe>)
  --resume             continue the run in --out from its last checkpoint
  --list               list the recipes
`;

function number(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v))) throw new RecipeConfigError(`--${flag} takes ${integer ? 'an integer' : 'a number'}, got "${text}".`);
  return v;
}

/** Parses the train command's arguments; throws {@link RecipeConfigError} for a bad value. */
export function parseTrainArgs(argv: readonly string[]): TrainCommand {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      recipe: { type: 'string' },
      'recipe-file': { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
      seed: { type: 'string' },
      'data-dir': { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      resume: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const overrides: RecipeOverrides = { quick: values.quick };
  const set = <K extends keyof RecipeOverrides>(key: K, v: RecipeOverrides[K] | undefined) => {
    if (v !== undefined) overrides[key] = v;
  };
  set('epochs', number('epochs', values.epochs, true));
  set('batchSize', number('batch-size', values['batch-size'], true));
  set('lr', number('lr', values.lr, false));
  set('threads', number('threads', values.threads, true));
  set('seed', number('seed', values.seed, true));
  set('backend', values.backend as RecipeOverrides['backend']);
  set('dataDir', values['data-dir']);
  return { recipe: values.recipe, recipeFile: values['recipe-file'], list: values.list, help: values.help, out: values.out, resume: values.resume, overrides };
}
