import { groupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2DBackpropFilter } from '../kernel_names.js';
import { filterGradient } from './filter_gradient.js';

/** GroupConv2DBackpropFilter for the wasm backend. */
export const groupConv2dBackpropFilterWasmConfig = defineKernel(GroupConv2DBackpropFilter, 'wasm', ({ inputs, backend, attrs: a }) => {
  const { x, dy } = inputs;
  return filterGradient(backend, x, dy, groupConvGeometry(x.shape, a.filterShape, a), a.filterShape);
});
