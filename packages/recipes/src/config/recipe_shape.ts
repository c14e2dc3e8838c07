import { RecipeConfigError } from './recipe_config_error.js';
import { ShapeError, checkShape, type CheckOptions, type Fields, type Shape } from './shape.js';

const num: Shape = { t: 'number' };
const str: Shape = { t: 'string' };
const bool: Shape = { t: 'boolean' };
const pair: Shape = { t: 'array', of: num, length: 2 };

const TRANSFORM: Shape = {
  t: 'kinds',
  kinds: {
    randomCrop: { size: num, 'padding?': num },
    flip: { 'p?': num },
    randomResizedCrop: { size: num, 'scale?': pair, 'ratio?': pair },
    resize: { size: num },
    centerCrop: { size: num },
    normalize: { mean: { t: 'array', of: num }, std: { t: 'array', of: num } },
  },
};

/** The fields of a {@link RecipeConfig}, as the checker reads them (`?` = optional). */
const RECIPE_FIELDS: Fields = {
  name: str,
  description: str,
  model: {
    t: 'object',
    fields: {
      name: str,
      'config?': { t: 'any-object' },
      inputShape: { t: 'array', of: num, length: 3 },
      numClasses: num,
      'options?': { t: 'object', fields: { 'dropRate?': num, 'zeroInitResidual?': bool } },
    },
  },
  dataset: {
    t: 'object',
    fields: { kind: { t: 'enum', values: ['fashion-mnist', 'cifar10', 'cifar100', 'image-folder'] }, 'dir?': str, 'trainLimit?': num, 'testLimit?': num },
  },
  trainTransform: { t: 'array', of: TRANSFORM },
  evalTransform: { t: 'array', of: TRANSFORM },
  batchSize: num,
  'lrReferenceBatch?': num,
  epochs: num,
  optimizer: {
    t: 'kinds',
    kinds: {
      sgd: { lr: num, momentum: num, nesterov: bool, weightDecay: num, noDecayOnBnAndBias: bool },
      adamw: { lr: num, betas: pair, eps: num, weightDecay: num, 'noDecayOnBnAndBias?': bool },
    },
  },
  schedule: {
    t: 'kinds',
    kinds: {
      constant: {},
      step: { stepEpochs: num, gamma: num },
      multistep: { milestones: { t: 'array', of: num }, gamma: num, 'relative?': bool },
      cosine: { 'minLrFactor?': num },
      onecycle: { 'divFactor?': num, 'finalDivFactor?': num },
    },
    common: { 'warmupEpochs?': num, 'warmupStartFactor?': num },
  },
  labelSmoothing: num,
  mixup: num,
  cutmix: num,
  ema: { t: 'nullable', of: { t: 'object', fields: { decay: num } } },
  gradAccumulation: num,
  seed: num,
  backend: { t: 'object', fields: { name: { t: 'enum', values: ['wasm', 'cpu', 'webgl', 'webgpu', 'node', 'node-gpu', 'tensorflow'] }, 'threads?': num } },
  checkpointEverySteps: num,
  finetune: {
    t: 'nullable',
    of: { t: 'object', fields: { weights: str, newHead: bool, freezeBackboneEpochs: num, backboneLrScale: num } },
  },
  'quick?': { t: 'any-object' },
};

/**
 * Throws {@link RecipeConfigError} (with `field` set) for the first field of `value` that is
 * missing or has the wrong JSON type. With `unknownKeys`, fields a recipe does not have are
 * errors too, top-level keys of `quick` included (a typo in a file would otherwise be ignored).
 */
export function checkRecipeShape(value: unknown, options: CheckOptions = {}): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RecipeConfigError(`a recipe must be a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}.`, '');
  }
  try {
    checkShape(value, { t: 'object', fields: RECIPE_FIELDS }, '', options);
    const quick = (value as { quick?: Record<string, unknown> }).quick;
    if (quick !== undefined && options.unknownKeys !== undefined) {
      const known = Object.keys(RECIPE_FIELDS).map((k) => k.replace(/\?$/, '')).filter((k) => k !== 'quick');
      for (const key of Object.keys(quick)) {
        if (known.includes(key)) continue;
        const guess = options.unknownKeys.suggest(key, known);
        throw new ShapeError(`quick.${key} is not a recipe field${guess === undefined ? '' : `; did you mean quick.${guess}?`}`, `quick.${key}`);
      }
    }
  } catch (e) {
    if (e instanceof ShapeError) throw new RecipeConfigError(e.message, e.field);
    throw e;
  }
}
