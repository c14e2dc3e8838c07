import * as tf from '@tensorflow/tfjs-core';

/** Whether the active backend has its own implementation of `kernelName`. */
export function hasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/**
 * Runs `kernelName` through the engine when the active backend registered it (so the engine
 * records it for gradients), otherwise runs `fallback`, composed of core ops.
 */
export function runKernelOr<T extends tf.Tensor>(
  kernelName: string,
  inputs: tf.NamedTensorMap,
  attrs: object,
  fallback: () => T,
): T {
  if (hasKernel(kernelName)) {
    return tf.engine().runKernel<T>(kernelName, inputs, attrs as unknown as tf.NamedAttrMap);
  }
  return fallback();
}
