// The fused training-mode batch norm on wasm against tfjs' own composition (tf.moments +
// tf.batchNorm and their registered gradients) on the cpu backend, an independent reference.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerBatchNormTrainWasm } from '../kernels/wasm/batch_norm_train.js';
import { randomArray } from '../testing/naive_group_conv.js';
import { batchNormTrain, batchNormTrainAvailable } from './batch_norm_train.js';

registerBatchNormTrainWasm();

const EPS = 1e-5;
const random = (shape: number[], seed: number, scale = 1, offset = 0) =>
  tf.tensor(Float32Array.from(randomArray(shape.reduce((a, b) => a * b, 1), seed), (v) => v * scale + offset), shape);

interface Result {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
}

/** Forward outputs and the gradients of Σ y·w for a fixed random w, on the active backend. */
async function run(shape: number[], scale: number, offset: number, fused: boolean): Promise<Result> {
  const c = shape[shape.length - 1]!;
  const x = random(shape, 1, scale, offset);
  const gamma = random([c], 2, 0.5, 1) as tf.Tensor1D;
  const beta = random([c], 3) as tf.Tensor1D;
  const w = random(shape, 4);
  const forward = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    if (fused) return batchNormTrain(xi, g as tf.Tensor1D, b as tf.Tensor1D, EPS);
    const { mean, variance } = tf.moments(xi, [...Array(xi.rank - 1).keys()]);
    return { y: tf.batchNorm(xi, mean, variance, b, g, EPS), mean, variance };
  };
  const { y, mean, variance } = forward(x, gamma, beta);
  const [dx, dgamma, dbeta] = tf.grads((xi, g, b) => tf.sum(tf.mul(forward(xi, g, b).y, w)))([x, gamma, beta]);
  const out = await Promise.all([y, mean, variance, dx!, dgamma!, dbeta!].map((t) => t.data<'float32'>()));
  tf.dispose([x, gamma, beta, w, y, mean, variance, dx!, dgamma!, dbeta!]);
  const [yv, mv, vv, dxv, dgv, dbv] = out;
  return { y: yv!, mean: mv!, variance: vv!, dx: dxv!, dgamma: dgv!, dbeta: dbv! };
}

const maxRelative = (a: Float32Array, b: Float32Array) => {
  const scale = Math.max(1e-6, ...b.map(Math.abs));
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!))) / scale;
};

describe('batchNormTrain on wasm', () => {
  // Channel counts that exercise the 16-channel SIMD blocks, the 4-channel ones and the scalar tail.
  it.each([
    ['NHWC, 16 + 4 + 3 channels', [3, 5, 4, 23], 1, 0],
    ['NHWC, 64 channels, 2 rows per image', [2, 1, 2, 64], 2, 0.5],
    ['2-D, 5 channels', [200, 5], 1, 0],
    ['|mean| ≫ std', [4, 6, 6, 8], 0.05, 30],
  ] as const)('%s: outputs and gradients equal tf.moments + tf.batchNorm on cpu', async (_, shape, scale, offset) => {
    await tf.setBackend('cpu');
    const reference = await run([...shape], scale, offset, false);
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(batchNormTrainAvailable()).toBe(true);
    const before = tf.memory().numTensors;
    const fused = await run([...shape], scale, offset, true);
    expect(tf.memory().numTensors).toBe(before);
    for (const key of ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'] as const) {
      // The reference itself (float32, E[(x − mean)²] in several kernels) is accurate to ~1e-5
      // relative; with |mean| ≫ std, y and dx inherit its cancellation.
      expect(maxRelative(fused[key], reference[key]), key).toBeLessThan(offset > 10 ? 2e-3 : 2e-5);
    }
  });

  it("shares a clone's data on wasm (the engine clones tensors saved for gradients): equal values, freed with the last reference", async () => {
    await tf.setBackend('wasm');
    const buffers = tf.memory().numDataBuffers;
    const x = random([64, 64], 5);
    const values = Array.from(await x.data());
    const copy = tf.clone(x);
    expect(tf.memory().numDataBuffers - buffers).toBe(1); // one buffer for both
    x.dispose();
    expect(Array.from(await copy.data())).toEqual(values);
    copy.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers);
  });

  it('is unavailable on cpu and says so', async () => {
    await tf.setBackend('cpu');
    expect(batchNormTrainAvailable()).toBe(false);
    expect(() => batchNormTrain(tf.zeros([2, 3]), tf.ones([3]), tf.zeros([3]), EPS)).toThrow(/backend 'cpu' has no ResNeXtBatchNormTrain/);
  });

  it('rejects gamma and beta that do not match the channels', async () => {
    await tf.setBackend('wasm');
    expect(() => batchNormTrain(tf.zeros([2, 3]), tf.ones([4]), tf.zeros([3]), EPS)).toThrow(/gamma, beta of its last dimension/);
  });
});
