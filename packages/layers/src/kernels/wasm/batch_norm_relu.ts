/** The wasm kernel of the ReLU gradient that follows batch norms (csrc/batch_norm_relu.c). */
import { getKernel, registerKernel, util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { ReluGradFromOutput } from '../../ops/relu_train.js';
import { kernelsFor, wasmKernelsAvailable } from './kernel_module.js';
import { heapOffset, type WasmBackend } from './wasm_backend.js';

/** The export of csrc/batch_norm_relu.c; pointers are heap byte offsets. */
interface ReluExports {
  bn_relu_backward(dy: number, y: number, dx: number, n: number): void;
}

/** dx = dy where y > 0, else 0. */
export const reluGradFromOutputWasmConfig: KernelConfig = {
  kernelName: ReluGradFromOutput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { dy, y } = inputs as { dy: TensorInfo; y: TensorInfo };
    const be = backend as WasmBackend;
    const dx = be.makeOutput(y.shape, 'float32');
    const n = util.sizeFromShape(y.shape);
    if (n > 0) (kernelsFor(be) as unknown as ReluExports).bn_relu_backward(heapOffset(be, dy), heapOffset(be, y), heapOffset(be, dx), n);
    return dx;
  },
};

/** Registers the kernel for wasm once; a no-op where our wasm kernels did not compile. */
export function registerReluGradWasm(): void {
  if (wasmKernelsAvailable && getKernel(ReluGradFromOutput, 'wasm') === undefined) registerKernel(reluGradFromOutputWasmConfig);
}
