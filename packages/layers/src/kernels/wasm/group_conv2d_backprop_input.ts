import { util, type KernelConfig } from '@tensorflow/tfjs-core';
import { groupConvGeometry } from '../../ops/conv_geometry.js';
import { GroupConv2DBackpropInput, type GroupConv2DBackpropInputAttrs, type GroupConv2DBackpropInputInputs } from '../kernel_names.js';
import { geometryNumbers } from '../../ops/conv_geometry.js';
import { kernelsFor } from './kernel_module.js';
import { kernelThreads, runRows } from './kernel_threads.js';
import { packedFilter } from './packed_filters.js';
import { heapOffset, withScratch, type WasmBackend } from './wasm_backend.js';

/** GroupConv2DBackpropInput for the wasm backend: the transposed convolution, stride phase by phase, on the kernel threads. */
export const groupConv2dBackpropInputWasmConfig: KernelConfig = {
  kernelName: GroupConv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as GroupConv2DBackpropInputInputs;
    const a = attrs as unknown as GroupConv2DBackpropInputAttrs;
    const be = backend as WasmBackend;
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
  },
};
