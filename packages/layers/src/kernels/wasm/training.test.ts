// End to end on wasm: a small network of a plain tf.conv2d (its filter gradient needs our
// Conv2DBackpropFilter) and a fused grouped convolution (our three kernels) trained with
// tfjs-core's optimizers. Before our kernels, tfjs-backend-wasm could not train a conv at all.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { fusedGroupConv2d } from '../../ops/group_conv2d.js';
import { randomArray } from '../../testing/naive_group_conv.js';
import { GroupConv2D, GroupConv2DBackpropFilter, GroupConv2DBackpropInput } from '../kernel_names.js';
import '../register_all.js';

const random = (shape: number[], seed: number, scale: number) =>
  tf.tensor(Float32Array.from(randomArray(shape.reduce((a, b) => a * b, 1), seed), (v) => v * scale), shape);

/** conv 3x3 (3 -> 16) + ReLU, grouped conv 3x3 stride 2 (16 -> 16, 4 groups) + bias + ReLU, conv 1x1 (16 -> 2). */
function network(x: tf.Tensor4D, p: Record<'w1' | 'w2' | 'b2' | 'w3', tf.Tensor>): tf.Tensor4D {
  const h1 = tf.relu(tf.conv2d(x, p.w1 as tf.Tensor4D, 1, 'same'));
  const h2 = fusedGroupConv2d<tf.Tensor4D>({ x: h1, filter: p.w2 as tf.Tensor4D, bias: p.b2 as tf.Tensor1D, strides: 2, pad: 'same', groups: 4, activation: 'relu' });
  return tf.conv2d(h2, p.w3 as tf.Tensor4D, 1, 'valid');
}

describe('training on wasm', () => {
  it.each([
    ['sgd', () => tf.train.sgd(0.1)],
    ['adam', () => tf.train.adam(0.01)],
  ] as const)('a conv + grouped-conv net fits a regression target with %s: the loss falls at least 10x', async (_, optimizer) => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const x = tf.tensor4d(Float32Array.from(randomArray(4 * 8 * 8 * 3, 1)), [4, 8, 8, 3]);
    const target = random([4, 4, 4, 2], 2, 1);
    const params = {
      w1: tf.variable(random([3, 3, 3, 16], 3, 0.4)),
      w2: tf.variable(random([3, 3, 4, 16], 4, 0.4)),
      b2: tf.variable(random([16], 5, 0.1)),
      w3: tf.variable(random([1, 1, 16, 2], 6, 0.4)),
    };
    const loss = () => tf.losses.meanSquaredError<tf.Tensor, tf.Scalar>(target, network(x, params));

    // The step must run our kernels, including tfjs-core's Conv2DBackpropFilter for tf.conv2d.
    const opt = optimizer();
    const profile = await tf.profile(() => {
      opt.minimize(loss);
    });
    const names = profile.kernels.map((k) => k.name);
    expect(names).toEqual(expect.arrayContaining([GroupConv2D, GroupConv2DBackpropInput, GroupConv2DBackpropFilter, tf.Conv2DBackpropFilter]));

    const initial = tf.tidy(() => loss().dataSync()[0]!);
    for (let step = 0; step < 150; step++) opt.minimize(loss);
    const final = tf.tidy(() => loss().dataSync()[0]!);
    expect(final).toBeLessThan(initial / 10);
    opt.dispose();
    tf.dispose([x, target, ...Object.values(params)]);
  });
});
