import type { RecipeConfig } from './recipe_config.js';

/**
 * The largest values a recipe may ask for. A recipe file is data a user may have been handed, and
 * each of these sizes the work or the memory of a run before anything else could stop it: the
 * model's input and head, every batch the loader allocates, every transform's output, the run's
 * length. The limits are far above any real recipe (ImageNet: 224×224×3, 1000 classes, batch 256,
 * 600 epochs).
 *
 * - `maxEpochs`: 100,000.
 * - `maxBatchSize`: 65,536 images an optimizer step.
 * - `maxImageSide`: 4,096 pixels, for `model.inputShape` and every transform's size and padding.
 * - `maxClasses`: 100,000 (`model.numClasses`).
 * - `maxMicroBatchValues`: 268,435,456 (2^28) float32 values, 1 GiB, for one micro-batch
 *   (`batchSize / gradAccumulation × height × width × channels`).
 */
export const RECIPE_LIMITS: Readonly<{ maxEpochs: number; maxBatchSize: number; maxImageSide: number; maxClasses: number; maxMicroBatchValues: number }> = Object.freeze({
  maxEpochs: 100_000,
  maxBatchSize: 65_536,
  maxImageSide: 4096,
  maxClasses: 100_000,
  maxMicroBatchValues: 2 ** 28,
});

const grouped = (n: number) => n.toLocaleString('en-US');
const positiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/**
 * The first way `r` is beyond {@link RECIPE_LIMITS} or shaped so that a run cannot size its
 * tensors (`model.inputShape` not positive integers with 1 or 3 channels, a dataset limit that is
 * not a positive integer), as `[field, value, what it must be]`; undefined when there is none.
 * Runs after the checks of each field's own range.
 */
export function recipeLimitProblem(r: RecipeConfig): [string, unknown, string] | undefined {
  const L = RECIPE_LIMITS;
  if (r.epochs > L.maxEpochs) return ['epochs', r.epochs, `at most ${grouped(L.maxEpochs)}`];
  if (r.batchSize > L.maxBatchSize) return ['batchSize', r.batchSize, `at most ${grouped(L.maxBatchSize)}`];
  if (r.model.numClasses > L.maxClasses) return ['model.numClasses', r.model.numClasses, `at most ${grouped(L.maxClasses)}`];
  const [height, width, channels] = r.model.inputShape;
  if (![height, width].every((s) => positiveInt(s) && s <= L.maxImageSide)) {
    return ['model.inputShape', r.model.inputShape, `[height, width, channels] with height and width integers from 1 to ${grouped(L.maxImageSide)}`];
  }
  if (channels !== 1 && channels !== 3) return ['model.inputShape', r.model.inputShape, 'an image shape with 1 (gray) or 3 (RGB) channels'];
  const values = (r.batchSize / r.gradAccumulation) * height * width * channels;
  if (values > L.maxMicroBatchValues) {
    return ['batchSize', r.batchSize, `small enough for a micro-batch of at most ${grouped(L.maxMicroBatchValues)} values (batchSize / gradAccumulation × ${height} × ${width} × ${channels} is ${grouped(values)})`];
  }
  for (const limit of ['trainLimit', 'testLimit'] as const) {
    const v = r.dataset[limit];
    if (v !== undefined && !positiveInt(v)) return [`dataset.${limit}`, v, 'a positive integer'];
  }
  for (const which of ['trainTransform', 'evalTransform'] as const) {
    for (const [i, t] of r[which].entries()) {
      const sizes = 'size' in t ? [t.size, 'padding' in t ? t.padding ?? 0 : 0] : [];
      if (sizes.some((s) => typeof s === 'number' && s > L.maxImageSide)) return [`${which}[${i}].size`, t, `sizes of at most ${grouped(L.maxImageSide)}`];
    }
  }
  return undefined;
}
