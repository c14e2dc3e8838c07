export type { BlockKind, ResNeXtConfig, StemKind } from './config.js';
export { BUILTIN_VARIANTS } from './variants.js';
export { modelSummary, type ModelSummary, type PartSummary, type SummaryOptions } from './summary.js';
export { closestName } from './closest_name.js';
export { NamedRegistry, type NamedRegistryOptions } from './named_registry.js';
export { ModelRegistry, ModelRegistryError, getModelConfig, listModels, models } from './registry.js';
export { createModel } from './architecture/create_model.js';
export { ModelOptionsError, type ModelOptions } from './architecture/model_options.js';
export * from './architecture/named_builders.js';
