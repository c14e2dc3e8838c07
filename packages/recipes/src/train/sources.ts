import * as path from 'node:path';
import type { RecipeConfig } from '../config/recipe_config.js';
import { RecipeConfigError } from '../config/resolve.js';
import type { ImageSource } from '../data/source.js';
import { cifarSource, fashionMnistSource, imageFolderSource } from '../data/source.js';

/** The training and evaluation images of a recipe's dataset. */
export interface DataSources {
  train: ImageSource;
  test: ImageSource;
}

/**
 * Opens the recipe's dataset. Fashion-MNIST falls back to its default locations; CIFAR needs the
 * folder of binary batches; an image folder needs `train/` and `val/` class folders under `dir`.
 */
export async function openSources(recipe: RecipeConfig): Promise<DataSources> {
  const { kind, dir } = recipe.dataset;
  if (kind === 'fashion-mnist') {
    const options = dir === undefined ? {} : { dir };
    return { train: fashionMnistSource('train', options), test: fashionMnistSource('test', options) };
  }
  if (dir === undefined) throw new RecipeConfigError(`Recipe "${recipe.name}": dataset ${kind} needs dataset.dir (or --data-dir).`);
  if (kind === 'image-folder') {
    return { train: await imageFolderSource(path.join(dir, 'train')), test: await imageFolderSource(path.join(dir, 'val')) };
  }
  const variant = kind === 'cifar10' ? 10 : 100;
  return { train: await cifarSource(dir, { variant, split: 'train' }), test: await cifarSource(dir, { variant, split: 'test' }) };
}
