// One 1×1 convolution (bias + ReLU) two ways, to tell by their bits which kernel tfjs' op ran:
// our kernel fuses multiply and add (one rounding), XNNPACK's does not.
import * as tf from '@tensorflow/tfjs-core';
import { GroupConv2DKernelName, type GroupConv2DAttrs } from '@resnext/layers';

/** The convolution's tensors: NHWC input, 1×1 filter, bias. Made afresh per call (inside a tidy). */
export type PointwiseInputs = () => { x: tf.Tensor4D; filter: tf.Tensor4D; bias: tf.Tensor1D };

/** Seeded normal values, the same for the same seed. */
export const seeded = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** tfjs' own fused conv op, which the routing hands to our kernel or to XNNPACK. */
export function routedPointwise(inputs: PointwiseInputs): Float32Array {
  return tf.tidy(() => tf.fused.conv2d({ ...inputs(), strides: 1, pad: 'valid', activation: 'relu' }).dataSync() as Float32Array);
}

/** Our kernel, called by name (it runs any grouping, 1 included). */
export function ourPointwise(inputs: PointwiseInputs): Float32Array {
  // A literal (not a GroupConv2DAttrs-typed value) is one tfjs' untyped attribute map accepts.
  const attrs = { strides: [1, 1], pad: 'valid', dilations: [1, 1], groups: 1, activation: 'relu' } satisfies GroupConv2DAttrs;
  return tf.tidy(() => {
    const { x, filter, bias } = inputs();
    return tf.engine().runKernel<tf.Tensor4D>(GroupConv2DKernelName, { x, filter, bias }, attrs).dataSync() as Float32Array;
  });
}
