// Recipe values that would size a run beyond reason are refused by validateRecipe (so by recipe
// files, CLI overrides and resume overrides alike), naming the field; every shipped recipe passes.
import { describe, expect, it } from 'vitest';
import { getRecipe, listRecipes } from '../catalog/registry.js';
import type { RecipeConfig } from './recipe_config.js';
import { RecipeConfigError } from './recipe_config_error.js';
import { RECIPE_LIMITS } from './recipe_limits.js';
import { resolveRecipe, validateRecipe } from './resolve.js';

const base = () => structuredClone(getRecipe('imagenet-resnext50'));

function refusal(edit: (r: RecipeConfig) => void): RecipeConfigError {
  const r = base();
  edit(r);
  try {
    validateRecipe(r);
  } catch (e) {
    expect(e).toBeInstanceOf(RecipeConfigError);
    return e as RecipeConfigError;
  }
  throw new Error('accepted');
}

describe('RECIPE_LIMITS', () => {
  it('are the documented values', () => {
    expect(RECIPE_LIMITS).toEqual({ maxEpochs: 100_000, maxBatchSize: 65_536, maxImageSide: 4096, maxClasses: 100_000, maxMicroBatchValues: 2 ** 28 });
  });

  it('every shipped recipe, and its quick variant, is within them', () => {
    for (const name of listRecipes()) {
      expect(() => resolveRecipe(getRecipe(name))).not.toThrow();
      expect(() => resolveRecipe(getRecipe(name), { quick: true })).not.toThrow();
    }
  });

  it.each([
    ['epochs 1e12', (r: RecipeConfig) => (r.epochs = 1e12), 'epochs', /epochs must be at most 100,000, got 1000000000000\.$/],
    ['batchSize 1e6', (r: RecipeConfig) => (r.batchSize = 1_000_000), 'batchSize', /batchSize must be at most 65,536/],
    ['numClasses 1e9', (r: RecipeConfig) => (r.model.numClasses = 1e9), 'model.numClasses', /model.numClasses must be at most 100,000/],
    ['inputShape 100000 high', (r: RecipeConfig) => (r.model.inputShape = [100_000, 224, 3]), 'model.inputShape', /integers from 1 to 4,096, got \[100000,224,3\]/],
    ['inputShape 0 wide', (r: RecipeConfig) => (r.model.inputShape = [224, 0, 3]), 'model.inputShape', /integers from 1 to 4,096/],
    ['inputShape fractional', (r: RecipeConfig) => (r.model.inputShape = [224.5, 224, 3]), 'model.inputShape', /integers from 1 to 4,096/],
    ['inputShape 5 channels', (r: RecipeConfig) => (r.model.inputShape = [224, 224, 5]), 'model.inputShape', /1 \(gray\) or 3 \(RGB\) channels/],
    ['a micro-batch of 4096 × 4096 × 3 × 64', (r: RecipeConfig) => ((r.model.inputShape = [4096, 4096, 3]), (r.batchSize = 64)), 'batchSize', /micro-batch of at most 268,435,456 values .* is 3,221,225,472\)/],
    ['trainLimit -5', (r: RecipeConfig) => (r.dataset.trainLimit = -5), 'dataset.trainLimit', /dataset.trainLimit must be a positive integer, got -5/],
    ['testLimit 1.5', (r: RecipeConfig) => (r.dataset.testLimit = 1.5), 'dataset.testLimit', /a positive integer, got 1.5/],
    ['a resize to 100000', (r: RecipeConfig) => (r.evalTransform = [{ kind: 'resize', size: 100_000 }, ...r.evalTransform.slice(1)]), 'evalTransform[0].size', /sizes of at most 4,096/],
    ['randomCrop padding 1e9', (r: RecipeConfig) => (r.trainTransform = [{ kind: 'randomCrop', size: 32, padding: 1e9 }]), 'trainTransform[0].size', /sizes of at most 4,096/],
  ])('%s → RecipeConfigError on %s', (_, edit, field, message) => {
    const e = refusal(edit);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(/^Recipe "imagenet-resnext50": /);
    expect(e.message).toMatch(message);
  });

  it('the limits themselves are allowed', () => {
    const r = base();
    r.epochs = RECIPE_LIMITS.maxEpochs;
    r.model.numClasses = RECIPE_LIMITS.maxClasses;
    r.model.inputShape = [4096, 4096, 1];
    r.batchSize = 16;
    expect(() => validateRecipe(r)).not.toThrow();
  });

  it('a CLI override beyond them is refused too', () => {
    expect(() => resolveRecipe(getRecipe('cifar10-resnext29'), { epochs: 200_000 })).toThrow(/epochs must be at most 100,000/);
  });
});
