import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createModel } from '@resnext/models';
import { fetchWeights, getWeights, loadWeights, listWeights, type LoadStateDictResult } from '@resnext/pretrained';
import type { RecipeConfig } from '../config/recipe_config.js';
import { seededInit } from './seeded_init.js';

/** Thrown when pretrained weights do not fit the recipe's model. */
export class FinetuneError extends Error {
  override name = 'FinetuneError';
}

/** Name of the classifier layer in @resnext/models (torchvision's `fc`). */
export const HEAD_LAYER = 'fc';

/** Builds the recipe's network with weights drawn from the recipe's seed. */
export function buildModel(recipe: RecipeConfig): tfl.LayersModel {
  const { model } = recipe;
  const net = createModel(model.config ?? model.name, {
    numClasses: model.numClasses,
    inputShape: model.inputShape,
    ...(model.options?.dropRate !== undefined && { dropRate: model.options.dropRate }),
    ...(model.options?.zeroInitResidual !== undefined && { zeroInitResidual: model.options.zeroInitResidual }),
  });
  seededInit(net, recipe.seed);
  return net;
}

/**
 * Loads the recipe's pretrained weights into `model`. With `newHead`, the classifier keeps its
 * fresh (seeded) weights and only `fc.*` keys may be missing or mis-shaped; any other mismatch
 * throws {@link FinetuneError} (a checkpoint of another architecture).
 */
export async function loadPretrained(model: tfl.LayersModel, recipe: RecipeConfig): Promise<LoadStateDictResult> {
  const ft = recipe.finetune;
  if (ft === null) throw new FinetuneError(`Recipe "${recipe.name}" has no finetune section.`);
  const isRegistryId = listWeights().includes(ft.weights);
  const source = isRegistryId ? await fetchWeights(getWeights(ft.weights)) : ft.weights;
  // Keep the fresh head even where the checkpoint's would fit (same class count).
  const head = ft.newHead ? model.getLayer(HEAD_LAYER).getWeights().map((t) => t.clone()) : [];
  const result = await loadWeights(model, source, { strict: !ft.newHead });
  if (ft.newHead) {
    model.getLayer(HEAD_LAYER).setWeights(head);
    tf.dispose(head);
  }
  const isHead = (key: string) => key.startsWith(`${HEAD_LAYER}.`) || key.startsWith(`${HEAD_LAYER}/`);
  const bad = [...result.missingKeys, ...result.unexpectedKeys, ...result.mismatchedKeys].filter((k) => !isHead(k));
  if (bad.length > 0) {
    throw new FinetuneError(`Pretrained weights ${ft.weights} do not fit ${recipe.model.name} outside the head: ${bad.slice(0, 8).join('; ')}${bad.length > 8 ? ' …' : ''}`);
  }
  return result;
}
