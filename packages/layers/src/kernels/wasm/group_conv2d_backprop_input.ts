import { util } from '@tensorflow/tfjs-core';
import { groupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2DBackpropInput } from '../kernel_names.js';
import { geometryNumbers } from '../../ops/conv_geometry.js';
import { kernelsFor } from './kernel_module.js';
import { kernelThreads, runRows } from './kernel_threads.js';
import { packedFilter } from './packed_filters.js';
import { heapOffset, withScratch } from './wasm_backend.js';

/** GroupConv2DBackpropInput for the wasm backend: the transposed convolution, stride phase by phase, on the kernel threads. */
export const groupConv2dBackpropInputWasmConfig = defineKernel(GroupConv2DBackpropInput, 'wasm', ({ inputs, backend: be, attrs: a }) => {
  const { dy, filter } = inputs;
  const geo = groupConvGeometry(a.inputShape, filter.shape, a);
  const size = util.sizeFromShape(a.inputShape);
  // No output pixels: nothing flows back, the gradient is zero.
  if (size === 0 || util.sizeFromShape(dy.shape) === 0) return be.makeOutput(a.inputShape, 'float32', undefined, new Float32Array(size));
  const dx = be.makeOutput(a.inputShape, 'float32');
  const kernels = kernelsFor(be);
  const args = geometryNumbers(geo);
  const packed = packedFilter(be, filter, geo, 'transposed');
  const threads = kernelThreads(be);
  withScratch(be, threads * kernels.group_conv_backprop_input_scratch(...args), (scratch) =>
    runRows(be, 'group_conv_backprop_input', threads, geo.batchSize * geo.inHeight, [heapOffset(be, dy), packed, heapOffset(be, dx), scratch, ...args]),
  );
  return dx;
});
