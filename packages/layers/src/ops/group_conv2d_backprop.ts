import type * as tf from '@tensorflow/tfjs-core';
import { genericGroupConv2dBackpropFilter } from '../kernels/generic/group_conv2d_backprop_filter.js';
import { genericGroupConv2dBackpropInput } from '../kernels/generic/group_conv2d_backprop_input.js';
import {
  GroupConv2DBackpropFilter,
  GroupConv2DBackpropInput,
  type GroupConv2DBackpropFilterAttrs,
  type GroupConv2DBackpropInputAttrs,
} from '../kernels/kernel_names.js';
import { runKernelOr } from './dispatch.js';

/** dL/dx of a grouped convolution, given dL/dy: the backend's kernel, or the generic one. */
export function groupConv2dBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: GroupConv2DBackpropInputAttrs,
): tf.Tensor4D {
  return runKernelOr(GroupConv2DBackpropInput, { dy, filter }, attrs, () =>
    genericGroupConv2dBackpropInput(dy, filter, attrs),
  );
}

/** dL/dfilter of a grouped convolution, given x and dL/dy: the backend's kernel, or the generic one. */
export function groupConv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: GroupConv2DBackpropFilterAttrs,
): tf.Tensor4D {
  return runKernelOr(GroupConv2DBackpropFilter, { x, dy }, attrs, () =>
    genericGroupConv2dBackpropFilter(x, dy, attrs),
  );
}
