import { WeightsFormatError } from '../errors.js';
import { readPytorchCheckpoint } from './pytorch_checkpoint.js';
import { readSafetensors } from './safetensors.js';
import type { TensorMap } from './tensor_record.js';

/** Checkpoint formats read from bytes. */
export type CheckpointFormat = 'safetensors' | 'pth';

/**
 * The format of checkpoint bytes, from their content (not the file name): a zip (PyTorch ≥ 1.6
 * `torch.save`) starts with "PK\x03\x04"; safetensors with a little-endian header length
 * followed by "{".
 */
export function sniffCheckpointFormat(bytes: Uint8Array, source: string): CheckpointFormat {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'pth';
  if (bytes.byteLength > 9 && bytes[8] === 0x7b) return 'safetensors';
  if (bytes[0] === 0x80 && bytes[1]! <= 5) {
    throw new WeightsFormatError(source, 'a legacy (pre-1.6, non-zip) PyTorch checkpoint; re-save it with torch.save in PyTorch ≥ 1.6');
  }
  throw new WeightsFormatError(source, 'neither a safetensors file nor a PyTorch zip checkpoint');
}

/**
 * Reads checkpoint bytes of either format into named tensors. Malformed or hostile files (absurd
 * shapes, offsets or references, see `readSafetensors` and `readPytorchCheckpoint` for the limits)
 * throw a `WeightsFormatError` naming `source` before work or memory proportional to the stated
 * sizes is spent.
 */
export function readCheckpoint(bytes: Uint8Array, source: string): TensorMap {
  return sniffCheckpointFormat(bytes, source) === 'pth' ? readPytorchCheckpoint(bytes, source) : readSafetensors(bytes, source).tensors;
}
