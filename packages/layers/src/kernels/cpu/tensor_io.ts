import type { DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/** The float32 values behind a tensor on a backend that keeps them in JS memory (cpu). */
export function readFloat32(backend: KernelBackend, t: TensorInfo): Float32Array {
  return backend.readSync(t.dataId) as Float32Array;
}

/** Hands `values` to the backend as a new tensor of `shape`. */
export function writeTensor(backend: KernelBackend, values: Float32Array, shape: number[], dtype: DataType = 'float32'): TensorInfo {
  return { dataId: backend.write(values, shape, dtype), shape, dtype };
}
