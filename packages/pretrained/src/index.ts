export { WeightsFormatError } from './errors.js';
export { readSafetensors, type SafetensorsFile } from './formats/safetensors.js';
export type { CheckpointDType, TensorMap, TensorRecord } from './formats/tensor_record.js';
export { readPytorchCheckpoint } from './formats/pytorch_checkpoint.js';
export { DEFAULT_TAGS, IMAGENET_WEIGHTS } from './registry/imagenet_records.js';
export { WeightsRegistry, WeightsRegistryError, getWeights, listWeights, weights } from './registry/weights_registry.js';
export type { Preprocessing, WeightsRecord, WeightsSource } from './registry/weights_record.js';
export { IMAGENET_LABELS } from './labels/imagenet_labels.js';
export { StateDictMismatchError, loadStateDict, type LoadStateDictResult } from './mapping/load_state_dict.js';
