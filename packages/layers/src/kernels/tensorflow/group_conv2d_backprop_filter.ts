import type * as tf from '@tensorflow/tfjs-core';
import { groupConvGeometry } from '../../ops/conv_geometry.js';
import { genericGroupConv2dBackpropFilter } from '../generic/group_conv2d_backprop_filter.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2DBackpropFilter } from '../kernel_names.js';
import { executeConvBackprop } from './native_backend.js';

/**
 * dL/dfilter for tfjs-node(-gpu): TensorFlow's grouped Conv2DBackpropFilter on a GPU; on CPU,
 * where TensorFlow rejects grouped filters, the generic per-group form over the dense CPU op.
 */
export const groupConv2dBackpropFilterTensorflowConfig = defineKernel(GroupConv2DBackpropFilter, 'tensorflow', ({ inputs, backend: be, attrs: a }) => {
  // The op passes rank-4 tensors (types do not carry the rank).
  const x = inputs.x as tf.Tensor4D;
  const dy = inputs.dy as tf.Tensor4D;
  if (!be.isUsingGpuDevice) return genericGroupConv2dBackpropFilter(x, dy, a);
  const geo = groupConvGeometry(x.shape, a.filterShape, a);
  // TensorFlow's signature: Conv2DBackpropFilter(input, filter_sizes, out_backprop).
  return executeConvBackprop(be, 'Conv2DBackpropFilter', geo, a.filterShape, (sizes) => [x, sizes, dy]);
});
