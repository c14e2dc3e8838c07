import { backend_util, Conv2DBackpropFilter, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { registerSwitchFlag, switchOn, WASM_BACKPROP_FILTER_FLAG } from './flags.js';
import { filterGradient } from './filter_gradient.js';

/**
 * tfjs' own Conv2DBackpropFilter, which tfjs-backend-wasm 4.x lacks (so `tf.conv2d` cannot be
 * trained there): our grouped filter gradient with one group.
 */
const conv2dBackpropFilterWasmConfig = defineKernel(Conv2DBackpropFilter, 'wasm', ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'.`);
  }
  // tfjs-core's conv2d gradient rejects dilations above 1, so the forward conv had none.
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const geo: GroupConvGeometry = { ...info, groups: 1, inChannelsPerGroup: info.inChannels, outChannelsPerGroup: info.outChannels };
  return filterGradient(backend, x, dy, geo, filterShape);
});

/**
 * Registers our Conv2DBackpropFilter for wasm while the RESNEXT_WASM_BACKPROP_FILTER flag is on
 * and the wasm backend has none of its own (never replacing one tfjs registered); switching the
 * flag off unregisters ours.
 */
export function registerConv2dBackpropFilterWasm(): void {
  const registered = getKernel(Conv2DBackpropFilter, 'wasm');
  if (switchOn(WASM_BACKPROP_FILTER_FLAG)) {
    if (registered === undefined) registerKernel(conv2dBackpropFilterWasmConfig);
  } else if (registered?.kernelFunc === conv2dBackpropFilterWasmConfig.kernelFunc) {
    unregisterKernel(Conv2DBackpropFilter, 'wasm');
  }
}

registerSwitchFlag(WASM_BACKPROP_FILTER_FLAG, registerConv2dBackpropFilterWasm);
