import type { KernelConfig } from '@tensorflow/tfjs-core';
import { groupConvGeometry } from '../../ops/conv_geometry.js';
import { GroupConv2DBackpropFilter, type GroupConv2DBackpropFilterAttrs, type GroupConv2DBackpropFilterInputs } from '../kernel_names.js';
import { filterGradient } from './filter_gradient.js';
import type { WasmBackend } from './wasm_backend.js';

/** GroupConv2DBackpropFilter for the wasm backend. */
export const groupConv2dBackpropFilterWasmConfig: KernelConfig = {
  kernelName: GroupConv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as GroupConv2DBackpropFilterInputs;
    const a = attrs as unknown as GroupConv2DBackpropFilterAttrs;
    return filterGradient(backend as WasmBackend, x, dy, groupConvGeometry(x.shape, a.filterShape, a), a.filterShape);
  },
};
