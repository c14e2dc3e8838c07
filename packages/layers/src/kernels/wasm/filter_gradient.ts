import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { GroupConvGeometry } from '../../ops/conv_geometry.js';
import { geometryNumbers } from '../../ops/conv_geometry.js';
import { kernelsFor } from './kernel_module.js';
import { heapOffset, withScratch, type WasmBackend } from './wasm_backend.js';

/**
 * dL/dfilter of the convolution `geo` describes, as a new tensor of `filterShape`: shared by our
 * grouped kernel and tfjs' own Conv2DBackpropFilter (groups = 1).
 */
export function filterGradient(be: WasmBackend, x: TensorInfo, dy: TensorInfo, geo: GroupConvGeometry, filterShape: number[]): TensorInfo {
  if (util.sizeFromShape(dy.shape) === 0) {
    return be.makeOutput(filterShape, 'float32', undefined, new Float32Array(util.sizeFromShape(filterShape)));
  }
  const dfilter = be.makeOutput(filterShape, 'float32');
  const kernels = kernelsFor(be);
  const args = geometryNumbers(geo);
  withScratch(be, kernels.group_conv_backprop_filter_scratch(...args), (scratch) =>
    kernels.group_conv_backprop_filter(heapOffset(be, x), heapOffset(be, dy), heapOffset(be, dfilter), scratch, ...args),
  );
  return dfilter;
}
