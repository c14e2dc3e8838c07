import * as tf from '@tensorflow/tfjs-core';
import { GroupConv2D, GroupConv2DResidual, type GroupConv2DAttrs } from '../kernels/kernel_names.js';
import { defineGradient } from './dispatch.js';
import { groupConv2dBackpropFilter, groupConv2dBackpropInput } from './group_conv2d_backprop.js';

/**
 * Gradients of y = act(groupConv(x, filter) + bias + residual) with respect to x, filter, bias
 * and residual (bias and residual optional: their gradients are simply not asked for).
 * Shared by the registered gradients (kernel paths) and the custom gradient of the composed paths.
 */
export function groupConv2dGradients(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  y: tf.Tensor4D | undefined,
  attrs: GroupConv2DAttrs,
): { x: () => tf.Tensor4D; filter: () => tf.Tensor4D; bias: () => tf.Tensor1D; residual: () => tf.Tensor4D } {
  const { strides, pad, dilations, groups, activation } = attrs;
  const common = { strides, pad, dilations, groups };
  // ReLU passes the gradient where it passed the value; y > 0 ⇔ pre-activation > 0.
  const dz = (): tf.Tensor4D => (activation === 'relu' ? tf.mul(dy, tf.step(y!)) : dy);
  return {
    x: () =>
      tf.tidy(() =>
        groupConv2dBackpropInput(dz(), filter, {
          ...common,
          inputShape: x.shape,
        }),
      ),
    filter: () =>
      tf.tidy(() =>
        groupConv2dBackpropFilter(x, dz(), {
          ...common,
          filterShape: filter.shape,
        }),
      ),
    bias: () => tf.tidy(() => tf.sum<tf.Tensor1D>(dz(), [0, 1, 2])),
    // The residual enters as a sum: its gradient is dz itself (a fresh tensor, not dy, when linear).
    residual: () => (activation === 'relu' ? dz() : tf.clone(dy)),
  };
}

/** Saves x, filter and y for {@link groupConv2dGradients}. */
const gradOfForward = {
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: GroupConv2DAttrs) => {
    const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    return groupConv2dGradients(dy as tf.Tensor4D, x, filter, y, attrs);
  },
};

/** The gradient of the GroupConv2D kernel, registered with `tf.registerGradient`. */
export const groupConv2dGradConfig = defineGradient({ ...gradOfForward, kernelName: GroupConv2D });

/** The gradient of the GroupConv2DResidual kernel: the same, with the residual's too. */
export const groupConv2dResidualGradConfig = defineGradient({ ...gradOfForward, kernelName: GroupConv2DResidual });
