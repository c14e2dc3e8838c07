/** Element types found in checkpoints. */
export type CheckpointDType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';

/** One named tensor read from a checkpoint, converted to what tfjs takes. */
export interface TensorRecord {
  /** Element type in the file. */
  dtype: CheckpointDType;
  shape: number[];
  /**
   * Values: Float32Array for every floating type (half and bfloat16 are widened, float64
   * narrowed), Int32Array for integer and bool types (int64 must fit in 32 bits).
   */
  values: Float32Array | Int32Array;
}

/** Named tensors in file order. */
export type TensorMap = Map<string, TensorRecord>;

/** Bytes per element of each checkpoint dtype. */
export const DTYPE_BYTES: Record<CheckpointDType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
};
