/**
 * Replacing one of tfjs-backend-wasm's own kernels with ours while keeping tfjs' config, so a
 * switch flag (flags.ts) can put the very config tfjs registered back.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { fromKernelFunc, toKernelFunc, type TypedKernelFunc } from '../define_kernel.js';
import type { KernelName } from '../kernel_names.js';

/** Marks a replacement config, holding the config it replaced (global, so two copies of this package agree). */
const REPLACED = Symbol.for('resnext.replacedWasmKernel');
type Replacement = KernelConfig & { [REPLACED]?: KernelConfig };

/**
 * Registers, for wasm's `kernelName`, the original config with its kernel function replaced by
 * `replace(originalKernelFunc)` (its setup and dispose functions kept). A no-op when wasm has no
 * such kernel (tfjs-backend-wasm not registered yet) or it is replaced already.
 */
export function replaceWasmKernel<K extends KernelName>(
  kernelName: K,
  replace: (original: TypedKernelFunc<K, 'wasm'>) => TypedKernelFunc<K, 'wasm'>,
): void {
  const original = getKernel(kernelName, 'wasm') as Replacement | undefined;
  if (original === undefined || original[REPLACED] !== undefined) return;
  unregisterKernel(kernelName, 'wasm');
  const kernelFunc = toKernelFunc(replace(fromKernelFunc<K, 'wasm'>(original.kernelFunc)));
  registerKernel({ ...original, kernelFunc, [REPLACED]: original } as Replacement);
}

/** Puts back the config {@link replaceWasmKernel} replaced for `kernelName`, if it did. */
export function restoreWasmKernel(kernelName: string): void {
  const original = (getKernel(kernelName, 'wasm') as Replacement | undefined)?.[REPLACED];
  if (original === undefined) return;
  unregisterKernel(kernelName, 'wasm');
  registerKernel(original);
}
