import type * as tf from '@tensorflow/tfjs-core';
import { groupConvGeometry } from '../../ops/conv_geometry.js';
import { genericGroupConv2dBackpropInput } from '../generic/group_conv2d_backprop_input.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2DBackpropInput } from '../kernel_names.js';
import { executeConvBackprop } from './native_backend.js';

/**
 * dL/dx for tfjs-node(-gpu). On a GPU, TensorFlow's Conv2DBackpropInput handles grouped filters
 * (cuDNN). Its CPU implementation rejects them (TensorFlow issues #50397, #51825), so on CPU
 * this runs the generic per-group form, which uses the dense CPU op group by group.
 */
export const groupConv2dBackpropInputTensorflowConfig = defineKernel(GroupConv2DBackpropInput, 'tensorflow', ({ inputs, backend: be, attrs: a }) => {
  // The op passes rank-4 tensors (types do not carry the rank).
  const dy = inputs.dy as tf.Tensor4D;
  const filter = inputs.filter as tf.Tensor4D;
  if (!be.isUsingGpuDevice) return genericGroupConv2dBackpropInput(dy, filter, a);
  const geo = groupConvGeometry(a.inputShape, filter.shape, a);
  // TensorFlow's signature: Conv2DBackpropInput(input_sizes, filter, out_backprop).
  return executeConvBackprop(be, 'Conv2DBackpropInput', geo, a.inputShape, (sizes) => [sizes, filter, dy]);
});
