/**
 * Running kernels from ops with typed inputs and attributes. tfjs' engine takes untyped maps
 * (`NamedTensorMap`, `NamedAttrMap`) and hands gradients untyped attributes; here, and only here on
 * the op side, our typed ones (`KernelSignatures` in kernels/kernel_names.ts) become those, and back.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelAttrs, KernelInputs, KernelName } from '../kernels/kernel_names.js';

/** Whether the active backend has its own implementation of `kernelName`. */
export function hasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/** Runs kernel `kernelName` through the engine (which records it for gradients). */
export function runKernel<T extends tf.Tensor | tf.Tensor[], K extends KernelName = KernelName>(
  kernelName: K,
  inputs: KernelInputs<K, tf.Tensor>,
  attrs: KernelAttrs<K>,
): T {
  return tf.engine().runKernel<T>(kernelName, inputs, attrs as unknown as tf.NamedAttrMap);
}

/**
 * Runs `kernelName` through the engine when the active backend registered it, otherwise runs
 * `fallback`, composed of core ops.
 */
export function runKernelOr<T extends tf.Tensor, K extends KernelName = KernelName>(
  kernelName: K,
  inputs: KernelInputs<K, tf.Tensor>,
  attrs: KernelAttrs<K>,
  fallback: () => T,
): T {
  return hasKernel(kernelName) ? runKernel<T, K>(kernelName, inputs, attrs) : fallback();
}

/** A gradient of kernel `K` whose function receives the kernel's typed attributes. */
interface TypedGradConfig<K extends KernelName> extends Omit<tf.GradConfig, 'kernelName' | 'gradFunc'> {
  kernelName: K;
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: KernelAttrs<K>) => ReturnType<tf.GradFunc>;
}

/** `config` as `tf.registerGradient` takes it: the engine passes back the attributes the op ran the kernel with. */
export function defineGradient<K extends KernelName>(config: TypedGradConfig<K>): tf.GradConfig {
  return config as unknown as tf.GradConfig;
}
