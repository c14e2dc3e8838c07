// The training kernels on the kernel threads: the filter gradient, training-mode batch norm
// (forward and backward) and the ReLU gradient give bit-identical results however a call is split
// between threads (1, 2, 3 and 7 runs of its parts, rows or chunks, and the backend's default),
// and match float64 references. Shapes are large enough that the sums are cut into several parts.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { relativeError } from '@resnext/test-support';
import { geometryNumbers, groupConvGeometry } from '../../ops/conv_geometry.js';
import { batchNormTrain } from '../../ops/batch_norm_train.js';
import { randomArray } from '../../testing/naive_group_conv.js';
import { GroupConv2DBackpropFilter, ReluGradFromOutput, type GroupConv2DBackpropFilterAttrs } from '../kernel_names.js';
import '../register_all.js';
import { registerReluGradWasm } from './batch_norm_relu.js';
import { registerBatchNormTrainWasm } from './batch_norm_train.js';
import { kernelsFor } from './kernel_module.js';
import { setKernelRunsForTesting } from './kernel_threads.js';
import type { WasmBackend } from './wasm_backend.js';

registerBatchNormTrainWasm();
registerReluGradWasm();

const RUNS = [2, 3, 7, undefined];
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const wasmBackend = () => tf.backend() as unknown as WasmBackend;

/** `body`'s outputs with every kernel call cut into `runs` runs (undefined: the backend's threads). */
async function inRuns(runs: number | undefined, body: () => tf.Tensor[]): Promise<Float32Array[]> {
  setKernelRunsForTesting(runs);
  try {
    const out = tf.tidy(body);
    const values = await Promise.all(out.map((t) => t.data<'float32'>()));
    tf.dispose(out);
    return values;
  } finally {
    setKernelRunsForTesting(undefined);
  }
}

/** The first index where a and b differ bit for bit (NaNs included), or -1; a length mismatch counts at the shorter length. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < Math.min(ua.length, ub.length); i++) if (ua[i] !== ub[i]) return i;
  return ua.length === ub.length ? -1 : Math.min(ua.length, ub.length);
}

/** Asserts `body` gives bit-identical outputs for every split in RUNS as on one run; returns the one-run outputs. */
async function splitInvariant(body: () => tf.Tensor[]): Promise<Float32Array[]> {
  const reference = await inRuns(1, body);
  for (const runs of RUNS) {
    const got = await inRuns(runs, body);
    got.forEach((g, i) => expect(firstDifference(g, reference[i]!), `output ${i}, ${runs ?? 'default'} runs`).toBe(-1));
  }
  return reference;
}

interface FilterCase {
  name: string;
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  pad: 'same' | 'valid';
  groups: number;
}

const FILTER_CASES: FilterCase[] = [
  { name: '3x3 grouped, 32 groups of 4 channels', xShape: [8, 14, 14, 128], filterShape: [3, 3, 4, 128], strides: [1, 1], pad: 'same', groups: 32 },
  { name: '3x3 stride 2, groups of 6 -> 5 channels (unaligned)', xShape: [12, 31, 29, 12], filterShape: [3, 3, 6, 10], strides: [2, 2], pad: 'same', groups: 2 },
  { name: '1x1 dense, 64 -> 48', xShape: [16, 7, 7, 64], filterShape: [1, 1, 64, 48], strides: [1, 1], pad: 'valid', groups: 1 },
  { name: '3x3 stem, 1 -> 16 channels', xShape: [32, 28, 28, 1], filterShape: [3, 3, 1, 16], strides: [1, 1], pad: 'same', groups: 1 },
];

/** float64 dfilter [kh][kw][c/groups][o] = Σ over images and output pixels of x · dy. */
function naiveFilterGradient(x: Float64Array, dy: Float64Array, nums: number[]): Float64Array {
  const [n, h, w, c, kh, kw, o, groups, sh, sw, dh, dw, pt, pl, oh, ow] = nums as [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];
  const cg = c / groups;
  const og = o / groups;
  const out = new Float64Array(kh * kw * cg * o);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= w) continue;
            const xp = ((b * h + iy) * w + ix) * c;
            const dp = ((b * oh + oy) * ow + ox) * o;
            for (let k = 0; k < o; k++) {
              const g = Math.floor(k / og);
              const d = dy[dp + k]!;
              for (let ci = 0; ci < cg; ci++) out[((ky * kw + kx) * cg + ci) * o + k]! += x[xp + g * cg + ci]! * d;
            }
          }
        }
  return out;
}

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterEach(() => setKernelRunsForTesting(undefined));

describe('the filter gradient on the kernel threads', () => {
  it.each(FILTER_CASES.map((k) => [k.name, k] as const))('is bit-identical for any split and matches float64: %s', async (_, k) => {
    const attrs: GroupConv2DBackpropFilterAttrs = { strides: k.strides, pad: k.pad, dilations: [1, 1], groups: k.groups, filterShape: k.filterShape };
    const geo = groupConvGeometry(k.xShape, k.filterShape, attrs);
    const nums = geometryNumbers(geo);
    // Several parts, so the split and the fixed-order sum of the partial filters are exercised.
    expect(kernelsFor(wasmBackend()).group_conv_backprop_filter_parts(...nums)).toBeGreaterThan(1);
    const x = randomArray(size(k.xShape), 3);
    const dy = randomArray(size(geo.outShape), 4);
    const [dw] = await splitInvariant(() => [
      tf.engine().runKernel<tf.Tensor>(
        GroupConv2DBackpropFilter,
        { x: tf.tensor4d(Float32Array.from(x), k.xShape), dy: tf.tensor(Float32Array.from(dy), geo.outShape) },
        attrs as unknown as tf.NamedAttrMap,
      ),
    ]);
    // The float32 inputs, so that only the kernel's own rounding is measured.
    const expected = naiveFilterGradient(Float64Array.from(Float32Array.from(x)), Float64Array.from(Float32Array.from(dy)), nums);
    expect(relativeError(dw!, expected)).toBeLessThan(1e-5);
  });
});

/** float64 training-mode batch norm over the last axis and its gradients for upstream gradient `dy`. */
function naiveBatchNorm(x: Float64Array, gamma: Float64Array, beta: Float64Array, dy: Float64Array, c: number, eps: number) {
  const m = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let i = 0; i < x.length; i++) mean[i % c]! += x[i]! / m;
  for (let i = 0; i < x.length; i++) variance[i % c]! += (x[i]! - mean[i % c]!) ** 2 / m;
  const inv = variance.map((v) => 1 / Math.sqrt(v + eps));
  const y = x.map((v, i) => (v - mean[i % c]!) * inv[i % c]! * gamma[i % c]! + beta[i % c]!);
  const dbeta = new Float64Array(c);
  const dgamma = new Float64Array(c);
  for (let i = 0; i < x.length; i++) {
    dbeta[i % c]! += dy[i]!;
    dgamma[i % c]! += dy[i]! * (x[i]! - mean[i % c]!) * inv[i % c]!;
  }
  const dx = x.map((v, i) => {
    const ch = i % c;
    const xhat = (v - mean[ch]!) * inv[ch]!;
    return gamma[ch]! * inv[ch]! * (dy[i]! - dbeta[ch]! / m - (xhat * dgamma[ch]!) / m);
  });
  return { y, mean, variance, dx, dgamma, dbeta };
}

describe('training-mode batch norm on the kernel threads', () => {
  it.each([
    ['NHWC, 40 channels (16 + 16 + 4 + 4)', [16, 16, 16, 40], 1, 0],
    ['NHWC, 19 channels (scalar tail), a last partial block', [9, 17, 23, 19], 2, 0.5],
    ['|mean| ≫ std', [16, 14, 14, 32], 0.05, 30],
  ] as const)('%s: bit-identical for any split, matching float64', async (_, shape, scale, offset) => {
    const c = shape[3];
    const m = size(shape) / c;
    expect(Math.ceil(m / kernelsFor(wasmBackend()).batch_norm_train_part_rows(m, c))).toBeGreaterThan(1);
    const x = Float32Array.from(randomArray(size(shape), 5), (v) => v * scale + offset);
    const gamma = Float32Array.from(randomArray(c, 6), (v) => 0.5 * v + 1);
    const beta = Float32Array.from(randomArray(c, 7));
    const dy = Float32Array.from(randomArray(size(shape), 8));
    const eps = 1e-5;
    const got = await splitInvariant(() => {
      const xt = tf.tensor4d(x, [...shape]);
      const forward = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormTrain(xi, g as tf.Tensor1D, b as tf.Tensor1D, eps);
      const { y, mean, variance } = forward(xt, tf.tensor1d(gamma), tf.tensor1d(beta));
      const grads = tf.grads((xi, g, b) => forward(xi, g, b).y)([xt, tf.tensor1d(gamma), tf.tensor1d(beta)], tf.tensor4d(dy, [...shape]));
      return [y, mean, variance, ...grads];
    });
    const f64 = (a: Float32Array) => Float64Array.from(a);
    const ref = naiveBatchNorm(f64(x), f64(gamma), f64(beta), f64(dy), c, eps);
    const keys = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'] as const;
    keys.forEach((key, i) => {
      // With |mean| ≫ std, x itself carries float32 rounding of the offset: y and dx amplify it.
      const tolerance = offset > 10 && (key === 'y' || key === 'dx' || key === 'dgamma') ? 1e-3 : 1e-5;
      expect(relativeError(got[i]!, ref[key]), key).toBeLessThan(tolerance);
    });
  });
});

describe('the ReLU gradient on the kernel threads', () => {
  it('is bit-identical for any split and exact', async () => {
    const shape = [8, 28, 28, 16];
    const dy = Float32Array.from(randomArray(size(shape), 9));
    const y = Float32Array.from(randomArray(size(shape), 10));
    const [dx] = await splitInvariant(() => [tf.engine().runKernel<tf.Tensor>(ReluGradFromOutput, { dy: tf.tensor(dy, shape), y: tf.tensor(y, shape) }, {})]);
    expect(firstDifference(dx!, y.map((v, i) => (v > 0 ? dy[i]! : 0)))).toBe(-1);
  });
});
