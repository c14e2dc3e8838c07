export { WeightsFormatError } from './errors.js';
export { readSafetensors, type SafetensorsFile } from './formats/safetensors.js';
export type { CheckpointDType, TensorMap, TensorRecord } from './formats/tensor_record.js';
export { readPytorchCheckpoint } from './formats/pytorch_checkpoint.js';
