import * as tf from '@tensorflow/tfjs-core';
import { GroupConv2D, GroupConv2DResidual, type GroupConv2DAttrs } from '../kernels/kernel_names.js';
import { groupConv2dBackpropFilter, groupConv2dBackpropInput } from './group_conv2d_backprop.js';

/**
 * Gradients of y = act(groupConv(x, filter) + bias) with respect to x, filter and bias.
 * Shared by the registered gradient (kernel path) and the custom gradient of the generic path.
 */
export function groupConv2dGradients(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  y: tf.Tensor4D | undefined,
  attrs: GroupConv2DAttrs,
): { x: () => tf.Tensor4D; filter: () => tf.Tensor4D; bias: () => tf.Tensor1D } {
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
  };
}

/** The gradient of the GroupConv2D kernel, registered with `tf.registerGradient`. */
export const groupConv2dGradConfig: tf.GradConfig = {
  kernelName: GroupConv2D,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const grads = groupConv2dGradients(dy as tf.Tensor4D, x, filter, y, attrs as unknown as GroupConv2DAttrs);
    return grads;
  },
};

/**
 * The gradient of the GroupConv2DResidual kernel: GroupConv2D's for x, filter and bias, and for
 * the residual the output gradient through the activation (the residual enters as a sum).
 */
export const groupConv2dResidualGradConfig: tf.GradConfig = {
  kernelName: GroupConv2DResidual,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const a = attrs as unknown as GroupConv2DAttrs;
    const d = dy as tf.Tensor4D;
    const grads = groupConv2dGradients(d, x, filter, y, a);
    return { ...grads, residual: () => (a.activation === 'relu' ? tf.mul(d, tf.step(y)) : tf.clone(d)) };
  },
};
