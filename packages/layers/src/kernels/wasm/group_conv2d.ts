import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel, type TypedKernelFunc } from '../define_kernel.js';
import { GroupConv2D, type GroupConv2DResidual } from '../kernel_names.js';
import { geometryNumbers } from '../../ops/conv_geometry.js';
import { kernelInstance } from './kernel_module.js';
import { kernelThreads, runRows, splitWays } from './kernel_threads.js';
import { nativeConv, nativeConvFor } from './native_conv.js';
import { packedFilter } from './packed_filters.js';
import { heapOffset, withScratch, type WasmBackend } from './wasm_backend.js';

/**
 * y = act(conv(x, filter) + bias + residual) for any grouped geometry, on the backend's kernel
 * threads (see kernel_threads.ts), or on the native kernels where they run (native_conv.ts); bias
 * and residual (shaped like y) are optional. Returns a new output tensor.
 */
export function groupConvForward(
  be: WasmBackend,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | undefined,
  geo: GroupConvGeometry,
  relu: boolean,
  residual?: TensorInfo,
): TensorInfo {
  const y = be.makeOutput(geo.outShape, 'float32');
  if (util.sizeFromShape(geo.outShape) === 0) return y;
  const native = nativeConvFor(be, geo);
  if (native !== undefined) {
    nativeConv(native, be, geo, kernelThreads(be), { x, filter, bias, residual, y }, relu);
    return y;
  }
  const { exports: kernels, wide } = kernelInstance(be);
  const args = geometryNumbers(geo);
  const packed = packedFilter(be, filter, geo, 'forward');
  const threads = kernelThreads(be);
  // Few pixels and many weights: threads take channel parts (all rows each) instead of runs of rows.
  const parts = kernels.group_conv_forward_parts(splitWays(threads), wide ? 1 : 0, ...args);
  const rows = geo.batchSize * geo.outHeight;
  withScratch(be, threads * kernels.group_conv_forward_scratch(...args), (scratch) =>
    runRows(be, 'group_conv_forward', threads, parts * rows, [
      heapOffset(be, x),
      packed,
      bias === undefined ? 0 : heapOffset(be, bias),
      residual === undefined ? 0 : heapOffset(be, residual),
      heapOffset(be, y),
      scratch,
      relu ? 1 : 0,
      parts,
      wide ? 1 : 0,
      ...args,
    ], parts > 1 ? rows : 1),
  );
  return y;
}

/**
 * Our SIMD kernel on the tfjs heap, bias and ReLU fused. It serves GroupConv2D and also
 * GroupConv2DResidual (group_conv2d_residual.ts), whose extra `residual` input it adds.
 */
export const groupConv2dWasm: TypedKernelFunc<typeof GroupConv2DResidual, 'wasm'> = ({ inputs, backend, attrs: a }) => {
  const { x, filter, bias, residual } = inputs;
  return groupConvForward(backend, x, filter, bias, groupConvGeometry(x.shape, filter.shape, a), a.activation === 'relu', residual);
};

/** GroupConv2D for the wasm backend. */
export const groupConv2dWasmConfig = defineKernel(GroupConv2D, 'wasm', groupConv2dWasm);
