/**
 * Kernels written with typed arguments. tfjs' registry hands every kernel untyped maps
 * (`NamedTensorInfoMap`, `NamedAttrMap`, `backend: {}`); here, and only here, a kernel typed by
 * `KernelSignatures` (kernel_names.ts) and its backend becomes a tfjs `KernelFunc`, and back.
 */
import type { KernelBackend, KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelAttrs, KernelInputs, KernelName } from './kernel_names.js';
import type { NativeBackend } from './tensorflow/native_backend.js';
import type { WasmBackend } from './wasm/wasm_backend.js';

/** What each backend hands its kernels: the backend object and the type of the input tensors. */
interface BackendKernelTypes {
  cpu: { backend: KernelBackend; tensor: TensorInfo };
  /** tfjs-node(-gpu): its kernels receive tfjs tensors. */
  tensorflow: { backend: NativeBackend; tensor: Tensor };
  wasm: { backend: WasmBackend; tensor: TensorInfo };
  webgl: { backend: MathBackendWebGL; tensor: TensorInfo };
  webgpu: { backend: WebGPUBackend; tensor: TensorInfo };
}

/** The name of a backend in {@link BackendKernelTypes}. */
type BackendName = keyof BackendKernelTypes;

/** What kernel `K` receives on backend `B`. */
interface KernelArgs<K extends KernelName, B extends BackendName> {
  inputs: KernelInputs<K, BackendKernelTypes[B]['tensor']>;
  attrs: KernelAttrs<K>;
  backend: BackendKernelTypes[B]['backend'];
}

/** Kernel `K` on backend `B`, with typed arguments. */
export type TypedKernelFunc<K extends KernelName, B extends BackendName> = (args: KernelArgs<K, B>) => TensorInfo | TensorInfo[];

/**
 * `kernelFunc` as tfjs' registry takes it. The engine passes each kernel the inputs and
 * attributes its op gave, which `KernelSignatures` (kernel_names.ts) declares.
 */
export function toKernelFunc<K extends KernelName, B extends BackendName>(kernelFunc: TypedKernelFunc<K, B>): KernelFunc {
  return kernelFunc as unknown as KernelFunc;
}

/** A kernel function from tfjs' registry (registered under `K` for `B`), seen with its typed arguments. */
export function fromKernelFunc<K extends KernelName, B extends BackendName>(kernelFunc: KernelFunc): TypedKernelFunc<K, B> {
  return kernelFunc as unknown as TypedKernelFunc<K, B>;
}

/** The config registering `kernelFunc` as kernel `kernelName` of backend `backendName`. */
export function defineKernel<K extends KernelName, B extends BackendName>(
  kernelName: K,
  backendName: B,
  kernelFunc: NoInfer<TypedKernelFunc<K, B>>,
): KernelConfig {
  return { kernelName, backendName, kernelFunc: toKernelFunc(kernelFunc) };
}
