import * as tf from '@tensorflow/tfjs-core';
import type { GroupConv2DCommonAttrs } from '../kernel_names.js';
import { concatGroups, groupSlice } from './group_slices.js';

/**
 * Grouped convolution from core ops only, for backends without a GroupConv2D kernel:
 * one `tf.conv2d` per group on a channel slice, concatenated. Exact (same arithmetic per output
 * as a dense convolution), but launches `groups` convolutions.
 */
export function genericGroupConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, attrs: GroupConv2DCommonAttrs): tf.Tensor4D {
  const { strides, pad, dilations, groups } = attrs;
  return tf.tidy(() =>
    concatGroups(groups, (g) =>
      tf.conv2d(groupSlice(x, groups, g), groupSlice(filter, groups, g), strides, pad, 'NHWC', dilations),
    ),
  );
}
