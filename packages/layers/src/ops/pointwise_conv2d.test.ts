// pointwiseConv2d against tf.conv2d and its registered gradients on the cpu backend (tfjs'
// Conv2DBackpropInput/Filter there: an independent implementation).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import '../kernels/register_all.js';
import { randomArray } from '../testing/naive_group_conv.js';
import { pointwiseConv2d } from './pointwise_conv2d.js';

const random = (shape: number[], seed: number) => tf.tensor(Float32Array.from(randomArray(shape.reduce((a, b) => a * b, 1), seed)), shape);

/** y, dx and dfilter of Σ y·w for a fixed random w. */
async function run(xShape: number[], out: number, stride: number, ours: boolean): Promise<Float32Array[]> {
  const x = random(xShape, 1) as tf.Tensor4D;
  const f = random([1, 1, xShape[3]!, out], 2) as tf.Tensor4D;
  const conv = (xi: tf.Tensor, fi: tf.Tensor) =>
    ours ? pointwiseConv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, stride) : tf.conv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, stride, 'valid');
  const y = conv(x, f);
  const w = random(y.shape, 3);
  const [dx, df] = tf.grads((xi, fi) => tf.sum(tf.mul(conv(xi, fi), w)))([x, f]);
  const values = await Promise.all([y, dx!, df!].map((t) => t.data<'float32'>()));
  tf.dispose([x, f, y, w, dx!, df!]);
  return values;
}

describe('pointwiseConv2d', () => {
  it.each([
    ['stride 1', [2, 5, 6, 8], 12, 1],
    ['stride 2, even size', [2, 6, 4, 8], 16, 2],
    ['stride 2, odd size', [1, 7, 5, 3], 4, 2],
    ['stride 3', [1, 7, 8, 4], 5, 3],
  ] as const)('%s: y, dx and dfilter equal tf.conv2d on cpu, on wasm and on cpu', async (_, xShape, out, stride) => {
    await tf.setBackend('cpu');
    const reference = await run([...xShape], out, stride, false);
    for (const backend of ['wasm', 'cpu']) {
      expect(await tf.setBackend(backend)).toBe(true);
      const ours = await run([...xShape], out, stride, true);
      ours.forEach((values, k) => {
        expect(values.length).toBe(reference[k]!.length);
        const scale = Math.max(...reference[k]!.map(Math.abs));
        expect(Math.max(...values.map((v, i) => Math.abs(v - reference[k]![i]!))) / scale, `${backend} output ${k}`).toBeLessThan(1e-5);
      });
    }
  });

  it('rejects a filter that is not 1x1 over the input channels', () => {
    expect(() => pointwiseConv2d(tf.zeros([1, 4, 4, 3]), tf.zeros([3, 3, 3, 2]), 1)).toThrow(/\[1, 1, 3, out\] filter/);
  });
});
