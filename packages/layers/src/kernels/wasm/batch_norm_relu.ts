/** The wasm kernel of the ReLU gradient that follows batch norms (csrc/batch_norm_relu.c). */
import { getKernel, registerKernel, util } from '@tensorflow/tfjs-core';
import { defineKernel } from '../define_kernel.js';
import { ReluGradFromOutput } from '../kernel_names.js';
import { wasmKernelsAvailable } from './kernel_module.js';
import { kernelThreads, runRows } from './kernel_threads.js';
import { heapOffset } from './wasm_backend.js';

/** Elements below which the kernel stays on the calling thread: the pool's hand-off would cost more than it saves. */
const MIN_THREADED_ELEMENTS = 32 * 1024;
/** Elements per unit of work (a multiple of 16, see csrc/batch_norm_relu.c). */
const CHUNK = 4096;

/** dx = dy where y > 0, else 0; element-wise, on the kernel threads. */
const reluGradFromOutputWasmConfig = defineKernel(ReluGradFromOutput, 'wasm', ({ inputs, backend: be }) => {
  const { dy, y } = inputs;
  const dx = be.makeOutput(y.shape, 'float32');
  const n = util.sizeFromShape(y.shape);
  if (n === 0) return dx;
  const chunks = Math.ceil(n / CHUNK);
  const threads = n < MIN_THREADED_ELEMENTS ? 1 : kernelThreads(be);
  runRows(be, 'bn_relu_backward', threads, chunks, [heapOffset(be, dy), heapOffset(be, y), heapOffset(be, dx), n, CHUNK]);
  return dx;
});

/** Registers the kernel for wasm once; a no-op where our wasm kernels did not compile. */
export function registerReluGradWasm(): void {
  if (wasmKernelsAvailable && getKernel(ReluGradFromOutput, 'wasm') === undefined) registerKernel(reluGradFromOutputWasmConfig);
}
