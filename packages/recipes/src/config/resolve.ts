import type { RecipeConfig } from './recipe_config.js';
import { RecipeConfigError } from './recipe_config_error.js';
import { recipeLimitProblem } from './recipe_limits.js';
import { checkRecipeShape } from './recipe_shape.js';

export { RecipeConfigError };

/** Command-line style overrides of a recipe. */
export interface RecipeOverrides {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  backend?: RecipeConfig['backend']['name'];
  threads?: number;
  seed?: number;
  dataDir?: string;
  /** Apply the recipe's `quick` overrides first. */
  quick?: boolean;
}

/**
 * The recipe a run uses: `quick` overrides (if asked), then the explicit overrides, then checks.
 * Returns a fresh object without the `quick` field (the resolved config is what `config.json` holds).
 */
export function resolveRecipe(recipe: RecipeConfig, overrides: RecipeOverrides = {}): RecipeConfig {
  const { quick, ...base } = structuredClone(recipe);
  let r: RecipeConfig = overrides.quick === true && quick !== undefined ? mergeDeep(base, quick) : base;
  if (overrides.epochs !== undefined) r.epochs = overrides.epochs;
  if (overrides.batchSize !== undefined) r.batchSize = overrides.batchSize;
  if (overrides.lr !== undefined) r.optimizer = { ...r.optimizer, lr: overrides.lr };
  if (overrides.backend !== undefined) r.backend = { ...r.backend, name: overrides.backend };
  if (overrides.threads !== undefined) r.backend = { ...r.backend, threads: overrides.threads };
  if (overrides.seed !== undefined) r.seed = overrides.seed;
  if (overrides.dataDir !== undefined) r = { ...r, dataset: { ...r.dataset, dir: overrides.dataDir } };
  validateRecipe(r);
  return r;
}

/** Plain objects merge key by key; arrays and everything else are replaced. */
function mergeDeep<T>(base: T, patch: Partial<T>): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    const current = out[key];
    out[key] = isPlainObject(value) && isPlainObject(current) ? mergeDeep(current, value) : value;
  }
  return out as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const positiveInt = (v: number) => Number.isInteger(v) && v > 0;

/**
 * Throws {@link RecipeConfigError} naming the first field that is missing, has the wrong type,
 * is out of range or beyond `RECIPE_LIMITS`.
 */
export function validateRecipe(r: RecipeConfig): void {
  try {
    checkRecipeShape(r);
  } catch (e) {
    if (e instanceof RecipeConfigError) throw new RecipeConfigError(`Recipe ${JSON.stringify(r.name)}: ${e.message}`, e.field);
    throw e;
  }
  const fail = (field: string, value: unknown, want: string): never => {
    throw new RecipeConfigError(`Recipe "${r.name}": ${field} must be ${want}, got ${JSON.stringify(value)}.`, field);
  };
  if (!positiveInt(r.epochs)) fail('epochs', r.epochs, 'a positive integer');
  if (!positiveInt(r.batchSize)) fail('batchSize', r.batchSize, 'a positive integer');
  if (!positiveInt(r.gradAccumulation)) fail('gradAccumulation', r.gradAccumulation, 'a positive integer');
  if (r.batchSize % r.gradAccumulation !== 0) fail('batchSize', r.batchSize, `a multiple of gradAccumulation (${r.gradAccumulation})`);
  if (!(r.optimizer.lr > 0)) fail('optimizer.lr', r.optimizer.lr, 'positive');
  if (!(r.optimizer.weightDecay >= 0)) fail('optimizer.weightDecay', r.optimizer.weightDecay, '≥ 0');
  if (!(r.labelSmoothing >= 0 && r.labelSmoothing < 1)) fail('labelSmoothing', r.labelSmoothing, 'in [0, 1)');
  if (r.ema !== null && !(r.ema.decay > 0 && r.ema.decay < 1)) fail('ema.decay', r.ema.decay, 'in (0, 1)');
  if (!Number.isInteger(r.seed)) fail('seed', r.seed, 'an integer');
  if (!(r.checkpointEverySteps >= 0 && Number.isInteger(r.checkpointEverySteps))) fail('checkpointEverySteps', r.checkpointEverySteps, 'an integer ≥ 0');
  if (!positiveInt(r.model.numClasses)) fail('model.numClasses', r.model.numClasses, 'a positive integer');
  if (r.finetune !== null && !(r.finetune.freezeBackboneEpochs >= 0)) fail('finetune.freezeBackboneEpochs', r.finetune.freezeBackboneEpochs, '≥ 0');
  const w = r.schedule.warmupEpochs ?? 0;
  if (!(w >= 0)) fail('schedule.warmupEpochs', w, '≥ 0');
  const beyond = recipeLimitProblem(r);
  if (beyond !== undefined) fail(...beyond);
}
