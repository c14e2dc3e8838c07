import { util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { GroupConv2D, type GroupConv2DAttrs, type GroupConv2DResidualInputs } from '../kernel_names.js';
import { geometryNumbers } from '../../ops/conv_geometry.js';
import { kernelInstance } from './kernel_module.js';
import { kernelThreads, runRows, splitWays } from './kernel_threads.js';
import { packedFilter } from './packed_filters.js';
import { heapOffset, withScratch, type WasmBackend } from './wasm_backend.js';

/**
 * y = act(conv(x, filter) + bias + residual) for any grouped geometry, on the backend's kernel
 * threads (see kernel_threads.ts); bias and residual (shaped like y) are optional. Returns a new
 * output tensor.
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
 * GroupConv2D for the wasm backend: our SIMD kernel on the tfjs heap, bias and ReLU fused. It also
 * serves GroupConv2DResidual (group_conv2d_residual.ts), whose extra `residual` input it adds.
 */
export const groupConv2dWasmConfig: KernelConfig = {
  kernelName: GroupConv2D,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, filter, bias, residual } = inputs as GroupConv2DResidualInputs;
    const a = attrs as unknown as GroupConv2DAttrs;
    const be = backend as WasmBackend;
    return groupConvForward(be, x, filter, bias, groupConvGeometry(x.shape, filter.shape, a), a.activation === 'relu', residual);
  },
};
