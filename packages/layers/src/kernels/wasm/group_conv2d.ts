import { util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { groupConvGeometry } from '../../ops/conv_geometry.js';
import { GroupConv2D, type GroupConv2DAttrs } from '../kernel_names.js';
import { geometryNumbers } from '../../ops/conv_geometry.js';
import { kernelsFor } from './kernel_module.js';
import { packedFilter } from './packed_filters.js';
import { heapOffset, withScratch, type WasmBackend } from './wasm_backend.js';

/** GroupConv2D for the wasm backend: our SIMD kernel on the tfjs heap, bias and ReLU fused. */
export const groupConv2dWasmConfig: KernelConfig = {
  kernelName: GroupConv2D,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, filter, bias } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo };
    const a = attrs as unknown as GroupConv2DAttrs;
    const be = backend as WasmBackend;
    const geo = groupConvGeometry(x.shape, filter.shape, a);
    const y = be.makeOutput(geo.outShape, 'float32');
    if (util.sizeFromShape(geo.outShape) === 0) return y;
    const kernels = kernelsFor(be);
    const args = geometryNumbers(geo);
    const packed = packedFilter(be, filter, geo, 'forward');
    withScratch(be, kernels.group_conv_forward_scratch(...args), (scratch) =>
      kernels.group_conv_forward(
        heapOffset(be, x),
        packed,
        bias === undefined ? 0 : heapOffset(be, bias),
        heapOffset(be, y),
        scratch,
        a.activation === 'relu' ? 1 : 0,
        ...args,
      ),
    );
    return y;
  },
};
