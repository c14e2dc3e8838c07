import * as tf from '@tensorflow/tfjs-core';
import type { GroupConv2DBackpropFilterAttrs } from '../kernel_names.js';
import { concatGroups, groupSlice, undilateFilter } from './group_slices.js';

/**
 * dL/dfilter of a grouped convolution from core kernels: tfjs' Conv2DBackpropFilter per group,
 * computed for the zero-dilated filter and then thinned back to the real taps.
 */
export function genericGroupConv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: GroupConv2DBackpropFilterAttrs,
): tf.Tensor4D {
  const { strides, pad, dilations, groups, filterShape } = attrs;
  const [kh, kw, ci, co] = filterShape;
  const denseShape = [(kh - 1) * dilations[0] + 1, (kw - 1) * dilations[1] + 1, ci, co / groups];
  return tf.tidy(() =>
    undilateFilter(
      concatGroups(groups, (g) =>
        tf.engine().runKernel<tf.Tensor4D>(
          'Conv2DBackpropFilter',
          { x: groupSlice(x, groups, g), dy: groupSlice(dy, groups, g) },
          { strides, pad, dataFormat: 'NHWC', filterShape: denseShape },
        ),
      ),
      dilations,
    ),
  );
}
