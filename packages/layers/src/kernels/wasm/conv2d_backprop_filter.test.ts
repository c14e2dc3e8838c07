// tfjs-core's own Conv2DBackpropFilter on wasm (which tfjs-backend-wasm 4.x lacks), served by our
// grouped kernel with one group: the filter gradient of a plain tf.conv2d, against the cpu
// backend's implementation and against finite differences.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { relativeError } from '@resnext/test-support';
import { randomArray } from '../../testing/naive_group_conv.js';
import '../register_all.js';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface PlainCase {
  name: string;
  xShape: Shape4;
  filterShape: Shape4;
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const CASES: PlainCase[] = [
  { name: '3x3 same, 3 -> 8 channels (a stem)', xShape: [2, 9, 8, 3], filterShape: [3, 3, 3, 8], strides: 1, pad: 'same' },
  { name: '1x1 valid, 64 -> 32', xShape: [2, 6, 5, 64], filterShape: [1, 1, 64, 32], strides: 1, pad: 'valid' },
  { name: '7x7 stride 2 same (ResNet stem)', xShape: [1, 17, 15, 3], filterShape: [7, 7, 3, 16], strides: 2, pad: 'same' },
  { name: '1x1 stride 2 (projection shortcut)', xShape: [2, 8, 8, 16], filterShape: [1, 1, 16, 24], strides: 2, pad: 'valid' },
  { name: 'numeric pad 1 with dimRoundingMode ceil, stride (2, 1)', xShape: [1, 8, 7, 5], filterShape: [3, 2, 5, 6], strides: [2, 1], pad: 1, dimRoundingMode: 'ceil' },
  { name: 'explicit pads, 5x3', xShape: [1, 9, 10, 6], filterShape: [5, 3, 6, 10], strides: 1, pad: [[0, 0], [1, 3], [2, 0], [0, 0]] },
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The forward output shape, from the cpu backend (tfjs-backend-wasm's Conv2D breaks on numeric pads). */
async function outputShape(k: PlainCase): Promise<number[]> {
  await tf.setBackend('cpu');
  return tf.tidy(() => tf.conv2d(tf.zeros<tf.Rank.R4>(k.xShape), tf.zeros<tf.Rank.R4>(k.filterShape), k.strides, k.pad, 'NHWC', 1, k.dimRoundingMode).shape);
}

/** Conv2DBackpropFilter run directly on `backend`, with the attributes tfjs-core's conv2d gradient passes. */
async function runKernel(backend: string, k: PlainCase, x: Float32Array, dy: Float32Array, dyShape: number[]) {
  await tf.setBackend(backend);
  const attrs = { strides: k.strides, pad: k.pad, dataFormat: 'NHWC', dimRoundingMode: k.dimRoundingMode, filterShape: k.filterShape };
  const dw = tf.tidy(() =>
    tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropFilter, { x: tf.tensor4d(x, k.xShape), dy: tf.tensor(dy, dyShape) }, attrs as unknown as tf.NamedAttrMap),
  );
  const values = await dw.data();
  dw.dispose();
  return values;
}

describe('tf.conv2d filter gradient on wasm', () => {
  it.each(CASES.map((k) => [k.name, k] as const))('Conv2DBackpropFilter equals the cpu backend\'s: %s', async (_, k) => {
    const dyShape = await outputShape(k);
    const x = Float32Array.from(randomArray(size(k.xShape), 1));
    const dy = Float32Array.from(randomArray(size(dyShape), 2));
    const expected = await runKernel('cpu', k, x, dy, dyShape);
    expect(relativeError(await runKernel('wasm', k, x, dy, dyShape), expected)).toBeLessThan(1e-5);
  });

  it('serves tf.grad of tf.conv2d, matching finite differences of the loss computed on wasm', async () => {
    const k = CASES[2]!;
    await tf.setBackend('wasm');
    const x = tf.tensor4d(Float32Array.from(randomArray(size(k.xShape), 4)), k.xShape);
    const w = Float32Array.from(randomArray(size(k.filterShape), 5));
    const dyShape = await outputShape(k);
    await tf.setBackend('wasm');
    const r = tf.tensor(Float32Array.from(randomArray(size(dyShape), 6)), dyShape);
    const conv = (filter: tf.Tensor) => tf.conv2d(x, filter as tf.Tensor4D, k.strides, k.pad);
    const info = await tf.profile(() => tf.grad(conv)(tf.tensor4d(w, k.filterShape), r));
    expect(info.kernels.map((kernel) => kernel.name)).toContain(tf.Conv2DBackpropFilter);
    const grad = info.result as tf.Tensor;
    // L = Σ r · conv2d(x, w) is linear in w, so a central difference with a large step is exact up
    // to the float32 rounding of the two losses, which the large step keeps small in relative terms.
    const loss = (filter: Float32Array) => tf.tidy(() => tf.sum(tf.mul(conv(tf.tensor4d(filter, k.filterShape)), r)).dataSync()[0]!);
    const eps = 0.5;
    const expected = w.map((v, i) => {
      const up = Float32Array.from(w);
      const down = Float32Array.from(w);
      up[i] = v + eps;
      down[i] = v - eps;
      return (loss(up) - loss(down)) / (2 * eps);
    });
    expect(relativeError(await grad.data(), expected)).toBeLessThan(1e-3);
    tf.dispose([x, r, grad]);
  });

  it('rejects NCHW, which tfjs-backend-wasm does not run', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 4, 4, 2]);
    const dy = tf.zeros([1, 4, 4, 3]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] };
    expect(() => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap)).toThrow(/supports dataFormat 'NHWC' only/);
    tf.dispose([x, dy]);
  });
});
