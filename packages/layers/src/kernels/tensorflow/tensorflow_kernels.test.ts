// tfjs-node cannot be installed here, so the 'tensorflow' kernels run against a fake backend that
// interprets TensorFlow op names and attributes independently (testing/fake_tensorflow_backend.ts).
// What this proves: the ops, input order and attributes we send, and the CPU/GPU routing.
// What it cannot prove: libtensorflow's own behaviour (see docs/layers.md).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../register_all.js';
import { relativeError } from '@resnext/test-support';
import { fusedGroupConv2d, groupConv2d } from '../../ops/group_conv2d.js';
import { registerFakeTensorflowBackend } from '../../testing/fake_tensorflow_backend.js';
import { naiveGroupConv, randomArray, type NaiveConvCase } from '../../testing/naive_group_conv.js';
import { groupConv2dSpec } from '../../testing/group_conv2d_spec.js';

const gpu = registerFakeTensorflowBackend(true);

describe('tensorflow kernels (fake GPU device)', () => {
  it('runs Conv2D, BiasAdd and Relu natively for the fused form', async () => {
    await tf.setBackend('tensorflow');
    const c: NaiveConvCase = { xShape: [1, 6, 5, 8], filterShape: [3, 3, 2, 8], strides: [2, 1], pad: [[0, 0], [1, 0], [2, 1], [0, 0]], dilations: [1, 1], groups: 4 };
    const x = randomArray(240, 1);
    const w = randomArray(144, 2);
    const b = randomArray(8, 3);
    gpu.calls.length = 0;
    const y = tf.tidy(() =>
      fusedGroupConv2d<tf.Tensor4D>({ x: tf.tensor4d(Float32Array.from(x), c.xShape), filter: tf.tensor4d(Float32Array.from(w), c.filterShape), bias: Float32Array.from(b), strides: c.strides, pad: c.pad, groups: c.groups, activation: 'relu' }),
    );
    expect(gpu.calls).toEqual(['Conv2D', 'BiasAdd', 'Relu']);
    const expected = naiveGroupConv(x, w, c).y.map((v, i) => Math.max(0, v + b[i % 8]!));
    expect(relativeError(await y.data(), expected)).toBeLessThan(1e-5);
    y.dispose();
  });

  it('sends grouped backprops to TensorFlow on a GPU', async () => {
    await tf.setBackend('tensorflow');
    const x = tf.tensor4d(Float32Array.from(randomArray(2 * 5 * 5 * 4, 4)), [2, 5, 5, 4]);
    const w = tf.tensor4d(Float32Array.from(randomArray(3 * 3 * 2 * 6, 5)), [3, 3, 2, 6]);
    gpu.calls.length = 0;
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => groupConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', 2))([x, w]);
    expect(gpu.calls).toEqual(['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']);
    tf.dispose([...grads, x, w]);
  });

  groupConv2dSpec('tensorflow');
});

describe('tensorflow kernels (fake CPU device)', () => {
  beforeAll(() => {
    gpu.isUsingGpuDevice = false;
  });
  afterAll(() => {
    gpu.isUsingGpuDevice = true;
  });

  it('keeps grouped backprops away from TensorFlow CPU, which rejects them', async () => {
    await tf.setBackend('tensorflow');
    const x = tf.tensor4d(Float32Array.from(randomArray(2 * 5 * 5 * 4, 4)), [2, 5, 5, 4]);
    const w = tf.tensor4d(Float32Array.from(randomArray(3 * 3 * 2 * 6, 5)), [3, 3, 2, 6]);
    gpu.calls.length = 0;
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => groupConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', 2))([x, w]);
    expect(gpu.calls).toEqual(['Conv2D']);
    tf.dispose([...grads, x, w]);
  });

  groupConv2dSpec('tensorflow');
});
