import * as tf from '@tensorflow/tfjs-core';
import type { GroupConv2DBackpropInputAttrs } from '../kernel_names.js';
import { concatGroups, dilateFilter, groupSlice } from './group_slices.js';

/**
 * dL/dx of a grouped convolution from core kernels: tfjs' Conv2DBackpropInput per group (with the
 * filter's dilation written out as zeros, since that kernel has no dilation attribute).
 */
export function genericGroupConv2dBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: GroupConv2DBackpropInputAttrs,
): tf.Tensor4D {
  const { strides, pad, dilations, groups, inputShape } = attrs;
  const groupInputShape: [number, number, number, number] = [inputShape[0], inputShape[1], inputShape[2], inputShape[3] / groups];
  return tf.tidy(() => {
    const dense = dilateFilter(filter, dilations);
    return concatGroups(groups, (g) =>
      tf.engine().runKernel<tf.Tensor4D>(
        'Conv2DBackpropInput',
        { dy: groupSlice(dy, groups, g), filter: groupSlice(dense, groups, g) },
        { strides, pad, dataFormat: 'NHWC', inputShape: groupInputShape },
      ),
    );
  });
}
