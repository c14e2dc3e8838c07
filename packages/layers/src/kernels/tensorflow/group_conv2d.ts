import type { Tensor } from '@tensorflow/tfjs-core';
import { groupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2D } from '../kernel_names.js';
import { nativeConvAttrs } from './native_backend.js';

/**
 * GroupConv2D for tfjs-node / tfjs-node-gpu: TensorFlow's own Conv2D accepts a grouped filter
 * (input depth a multiple of the filter depth) — through cuDNN on GPU, and on CPU through a
 * slower generic path. Bias and ReLU run as TensorFlow's BiasAdd and Relu.
 */
export const groupConv2dTensorflowConfig = defineKernel(GroupConv2D, 'tensorflow', ({ inputs, backend: be, attrs: a }) => {
  const { x, filter, bias } = inputs;
  const geo = groupConvGeometry(x.shape, filter.shape, a);
  const typeAttr = { name: 'T', type: be.binding.TF_ATTR_TYPE, value: be.binding.TF_FLOAT };
  let y: Tensor = be.executeSingleOutput('Conv2D', nativeConvAttrs(geo, be.binding), [x, filter]);
  if (bias !== undefined) {
    const format = { name: 'data_format', type: be.binding.TF_ATTR_STRING, value: 'NHWC' };
    const biased = be.executeSingleOutput('BiasAdd', [typeAttr, format], [y, bias]);
    y.dispose();
    y = biased;
  }
  if (a.activation === 'relu') {
    const activated = be.executeSingleOutput('Relu', [typeAttr], [y]);
    y.dispose();
    y = activated;
  }
  return y;
});
