// The public API: what docs/recipes.md documents ("Train from code", "API"), and nothing else.
// Recipes: the shipped ones, their config type, overrides, checks, recipe files.
export { getRecipe, listRecipes, RecipeRegistryError } from './catalog/registry.js';
export type { AdamWSpec, DatasetSpec, FinetuneSpec, ModelSpec, OptimizerSpec, RecipeConfig, ScheduleSpec, SgdSpec } from './config/recipe_config.js';
export type { TransformSpec } from './data/transforms.js';
export { RecipeConfigError, resolveRecipe, validateRecipe, type RecipeOverrides } from './config/resolve.js';
export { RECIPE_LIMITS } from './config/recipe_limits.js';
export { loadRecipeFile } from './config/recipe_file.js';
export { RecipeFileError, type RecipeFileLocation } from './config/recipe_file_error.js';
// Training: the trainer, its options and results, the run directory's upkeep.
export { train, type TrainOptions, type TrainResult } from './train/trainer.js';
export type { DataSources } from './train/sources.js';
export type { EpochMetrics } from './report/metrics.js';
export type { ProgressSink } from './report/progress.js';
export { CheckpointError } from './checkpoint/checkpoint.js';
export { removeOrphanedTempFiles, type RemovedTempFile } from '@resnext/layers/node-io';
// Data: custom image sources for train(), the Fashion-MNIST reader.
export { FinetuneError } from './train/build_model.js';
export { imageFolderSource, type ImageSource, type LabeledImage } from './data/source.js';
export { loadFashionMnist, type IdxImageSplit } from './datasets/fashion_mnist.js';
export { DatasetError } from './datasets/dataset_error.js';
