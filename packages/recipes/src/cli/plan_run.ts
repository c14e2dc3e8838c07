import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CheckpointError } from '../checkpoint/checkpoint.js';
import type { RecipeConfig } from '../config/recipe_config.js';
import { loadRecipeFile } from '../config/recipe_file.js';
import { resolveRecipe, type RecipeOverrides } from '../config/resolve.js';
import { applyResumeOverrides } from '../config/resume_overrides.js';
import { RecipeRegistryError, getRecipe, listRecipes } from '../catalog/registry.js';
import { readCheckpointHeader } from '../train/checkpoint_recipe.js';
import { runPaths } from '../train/trainer.js';
import { closestName } from '@resnext/models';
import type { TrainCommand } from './parse_args.js';
import { displayPath, resumeCommand, startCommand, type Invocation } from './resume_command.js';
import { UsageError } from './usage_error.js';

/** What the CLI hands to `train()`: absolute paths, the recipe to start (or the run's, to resume). */
export interface RunPlan {
  recipe: RecipeConfig;
  out: string;
  resume: boolean;
  /** The command line's overrides, `dataDir` resolved (on resume, for `train()` to apply). */
  overrides: RecipeOverrides;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

function shipped(name: string): RecipeConfig {
  try {
    return getRecipe(name);
  } catch (e) {
    if (!(e instanceof RecipeRegistryError)) throw e;
    const guess = closestName(name, listRecipes());
    throw new UsageError(`unknown recipe '${name}'.${guess === undefined ? '' : ` Did you mean ${guess}?`} The shipped recipes: ${listRecipes().join(', ')} (or --recipe-file <file.json>).`);
  }
}

/** The recipe named on the command line (`--recipe` or `--recipe-file`), if any, with paths resolved. */
async function namedRecipe(command: TrainCommand, baseDir: string): Promise<RecipeConfig | undefined> {
  if (command.recipe !== undefined && command.recipeFile !== undefined) throw new UsageError('give --recipe or --recipe-file, not both.');
  if (command.recipeFile !== undefined) return loadRecipeFile(path.resolve(baseDir, command.recipeFile));
  if (command.recipe !== undefined) return shipped(command.recipe);
  return undefined;
}

/** The recipe name of a run directory without a checkpoint (its config.json), for the hint. */
async function configName(out: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await fs.readFile(runPaths(out).config, 'utf8')) as { name?: unknown }).name as string | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns the command line into a run: relative paths (`--out`, `--recipe-file`, `--data-dir`)
 * resolved against the invocation's base directory, the recipe chosen and resolved. For
 * `--resume`, checks that `--out` holds a run (one line saying what to do when it does not), that
 * a recipe named alongside is the run's and that the overrides are safe on it; for a new run,
 * that `--out` holds none.
 */
export async function planRun(command: TrainCommand, invocation: Invocation): Promise<RunPlan> {
  const baseDir = invocation.base.dir;
  const named = await namedRecipe(command, baseDir);
  const overrides = { ...command.overrides, ...(command.overrides.dataDir !== undefined && { dataDir: path.resolve(baseDir, command.overrides.dataDir) }) };
  if (command.resume) {
    if (command.out === undefined && named === undefined) throw new UsageError('--resume needs the run directory: --resume --out <dir> (or --recipe <name> for runs/<name>).');
    const out = path.resolve(baseDir, command.out ?? path.join('runs', named!.name));
    const shown = displayPath(out, invocation.base);
    const checkpoint = runPaths(out).checkpoint;
    if (!(await exists(checkpoint))) {
      const start = startCommand(named?.name ?? (await configName(out)), out, invocation);
      const what = (await exists(out)) ? `${shown} holds no run to resume (no checkpoints/last.safetensors)` : `${shown} does not exist, so there is no run to resume`;
      throw new CheckpointError(`${what}; start one with: ${start}`);
    }
    const header = await readCheckpointHeader(checkpoint);
    if (named !== undefined && named.name !== header.config.name) {
      throw new UsageError(`${shown} holds a run of recipe '${header.config.name}', not '${named.name}'; drop --recipe/--recipe-file to resume it, or choose another --out.`);
    }
    // The torchrun engine marks its checkpoints' state; each engine resumes only its own.
    const engine = (header.state as { engine?: string }).engine ?? 'tfjs';
    if (engine !== command.engine) {
      const how = engine === 'torchrun' ? 'add --engine=torchrun --nproc-per-node <n> (and the run\'s other torchrun flags)' : 'drop --engine=torchrun';
      throw new UsageError(`${shown} holds a run of the ${engine} engine; to resume it, ${how}.`);
    }
    // Refuses unsafe overrides now, before anything runs; train() applies them again.
    const recipe = applyResumeOverrides(header.config, header.state, overrides, { reschedule: command.reschedule });
    return { recipe, out, resume: true, overrides };
  }
  if (named === undefined) throw new UsageError('--recipe <name> or --recipe-file <file.json> is required (or --resume --out <dir>).');
  const out = path.resolve(baseDir, command.out ?? path.join('runs', named.name));
  if (await exists(runPaths(out).checkpoint)) {
    throw new CheckpointError(`${displayPath(out, invocation.base)} already holds a run; resume it with: ${resumeCommand(out, invocation)} (or pass another --out).`);
  }
  return { recipe: resolveRecipe(named, overrides), out, resume: false, overrides };
}
