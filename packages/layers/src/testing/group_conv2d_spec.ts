/**
 * The grouped-convolution spec suite, shared by every backend's test file (Node and Chromium):
 * forward against the float64 naive loop, gradients against finite differences, errors, leaks;
 * tfjs' own 1×1 convolutions (which the wasm backend may route to our kernel); on wasm, results
 * that do not depend on how a kernel call is split between threads.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { relativeError } from '@resnext/test-support';
import { GroupConvError } from '../errors.js';
import { fusedGroupConv2d, groupConv2d } from '../ops/group_conv2d.js';
import { setKernelRunsForTesting } from '../kernels/wasm/kernel_threads.js';
import { FORWARD_CASES, GRADIENT_CASES, POINTWISE_CASES, RESIDUAL_CASES, type ConvCase, type PointwiseCase } from './group_conv2d_cases.js';
import { finiteDifferences, naiveGroupConv, randomArray } from './naive_group_conv.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function inputsOf(c: ConvCase, seed: number) {
  return { x: randomArray(size(c.xShape), seed), w: randomArray(size(c.filterShape), seed + 1) };
}

function run(c: ConvCase, x: ArrayLike<number>, w: ArrayLike<number>) {
  return tf.tidy(() =>
    groupConv2d(tf.tensor4d(Float32Array.from(x), c.xShape), tf.tensor4d(Float32Array.from(w), c.filterShape), c.strides, c.pad, c.groups, c.dilations),
  );
}

/** tfjs' fused 1×1 convolution of a pointwise case (bias and ReLU as the case says). */
function runPointwise(c: PointwiseCase, x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number>) {
  return tf.tidy(() => {
    const xt = tf.tensor4d(Float32Array.from(x), c.xShape);
    const wt = tf.tensor4d(Float32Array.from(w), c.filterShape);
    if (!c.bias && c.activation === 'linear') return tf.conv2d(xt, wt, c.strides, c.pad);
    return tf.fused.conv2d({ x: xt, filter: wt, strides: c.strides, pad: c.pad, activation: c.activation, ...(c.bias && { bias: tf.tensor1d(Float32Array.from(bias)) }) });
  });
}

/** float64 reference of a pointwise case: the naive loop, plus bias and ReLU. */
function pointwiseReference(c: PointwiseCase, x: Float64Array, w: Float64Array, bias: Float64Array) {
  const plain = naiveGroupConv(x, w, c);
  const co = c.filterShape[3];
  const y = plain.y.map((v, i) => {
    const b = c.bias ? v + bias[i % co]! : v;
    return c.activation === 'relu' ? Math.max(0, b) : b;
  });
  return { y, shape: plain.shape };
}

/** relu(conv + bias + residual) of a case through the op, from float64 inputs. */
function runResidual(c: ConvCase, x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number>, residual: ArrayLike<number>, shape: readonly number[]) {
  return tf.tidy(() =>
    fusedGroupConv2d<tf.Tensor4D>({
      x: tf.tensor4d(Float32Array.from(x), c.xShape),
      filter: tf.tensor4d(Float32Array.from(w), c.filterShape),
      bias: tf.tensor1d(Float32Array.from(bias)),
      residual: tf.tensor4d(Float32Array.from(residual), shape as [number, number, number, number]),
      strides: c.strides,
      pad: c.pad,
      groups: c.groups,
      dilations: c.dilations,
      activation: 'relu',
    }),
  );
}

/** Inputs of a residual case and its float64 reference: relu(naive conv + bias + residual). */
function residualCase(c: ConvCase, seed: number) {
  const { x, w } = inputsOf(c, seed);
  const plain = naiveGroupConv(x, w, c);
  const bias = randomArray(c.filterShape[3], seed + 2);
  const residual = randomArray(plain.y.length, seed + 3);
  const co = c.filterShape[3];
  const expected = plain.y.map((v, i) => Math.max(0, v + bias[i % co]! + residual[i]!));
  return { x, w, bias, residual, shape: plain.shape, expected };
}

/** Every forward and pointwise case's output and each gradient case's dx, with kernel calls cut into `runs` runs of rows. */
async function outputsInRuns(runs: number | undefined): Promise<Float32Array[]> {
  setKernelRunsForTesting(runs);
  try {
    const out: Float32Array[] = [];
    for (const c of FORWARD_CASES) {
      const { x, w } = inputsOf(c, 41);
      const y = run(c, x, w);
      out.push(Float32Array.from(await y.data()));
      y.dispose();
    }
    for (const c of POINTWISE_CASES) {
      const { x, w } = inputsOf(c, 43);
      const y = runPointwise(c, x, w, randomArray(c.filterShape[3], 45));
      out.push(Float32Array.from(await y.data()));
      y.dispose();
    }
    for (const c of RESIDUAL_CASES) {
      const r = residualCase(c, 49);
      const y = runResidual(c, r.x, r.w, r.bias, r.residual, r.shape);
      out.push(Float32Array.from(await y.data()));
      y.dispose();
    }
    for (const c of GRADIENT_CASES) {
      // The input gradient is split like the forward pass.
      const { x, w } = inputsOf(c, 47);
      const wt = tf.tensor4d(Float32Array.from(w), c.filterShape);
      const dx = tf.tidy(() =>
        tf.grad((xt: tf.Tensor) => groupConv2d(xt as tf.Tensor4D, wt, c.strides, c.pad, c.groups, c.dilations))(tf.tensor4d(Float32Array.from(x), c.xShape)),
      );
      out.push(Float32Array.from(await dx.data()));
      tf.dispose([dx, wt]);
    }
    return out;
  } finally {
    setKernelRunsForTesting(undefined);
  }
}

/** Registers the suite for `backend` (already registered with tfjs). */
export function groupConv2dSpec(backend: string, options: { gradients?: boolean } = {}): void {
  const gradients = options.gradients ?? true;

  describe(`groupConv2d on ${backend}`, () => {
    it('activates the backend', async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      await tf.ready();
    });

    it.each(FORWARD_CASES.map((c) => [c.name, c] as const))('forward: %s', async (_, c) => {
      expect(await tf.setBackend(backend)).toBe(true);
      const { x, w } = inputsOf(c, 7);
      const expected = naiveGroupConv(x, w, c);
      const y = run(c, x, w);
      expect(y.shape).toEqual(expected.shape);
      expect(relativeError(await y.data(), expected.y)).toBeLessThan(1e-5);
      y.dispose();
    });

    it('fuses bias and ReLU', async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const c = FORWARD_CASES[4]!;
      const { x, w } = inputsOf(c, 11);
      const bias = randomArray(c.filterShape[3], 13);
      const plain = naiveGroupConv(x, w, c);
      const co = c.filterShape[3];
      const expected = plain.y.map((v, i) => Math.max(0, v + bias[i % co]!));
      const y = tf.tidy(() =>
        fusedGroupConv2d<tf.Tensor4D>({
          x: tf.tensor4d(Float32Array.from(x), c.xShape),
          filter: tf.tensor4d(Float32Array.from(w), c.filterShape),
          bias: tf.tensor1d(Float32Array.from(bias)),
          strides: c.strides,
          pad: c.pad,
          groups: c.groups,
          activation: 'relu',
        }),
      );
      expect(relativeError(await y.data(), expected)).toBeLessThan(1e-5);
      y.dispose();
    });

    it.each(RESIDUAL_CASES.map((c) => [c.name, c] as const))('adds a residual before the ReLU: %s', async (_, c) => {
      expect(await tf.setBackend(backend)).toBe(true);
      const r = residualCase(c, 51);
      const y = runResidual(c, r.x, r.w, r.bias, r.residual, r.shape);
      expect(y.shape).toEqual(r.shape);
      expect(relativeError(await y.data(), r.expected)).toBeLessThan(1e-5);
      y.dispose();
    });

    it.each(POINTWISE_CASES.map((c) => [c.name, c] as const))('tfjs 1x1 convolution: %s', async (_, c) => {
      expect(await tf.setBackend(backend)).toBe(true);
      const { x, w } = inputsOf(c, 17);
      const bias = randomArray(c.filterShape[3], 19);
      const expected = pointwiseReference(c, x, w, bias);
      const y = runPointwise(c, x, w, bias);
      expect(y.shape).toEqual(expected.shape);
      expect(relativeError(await y.data(), expected.y)).toBeLessThan(1e-5);
      y.dispose();
    });

    if (backend === 'wasm') {
      it('gives bit-identical results however a kernel call is split into runs of rows (threads)', async () => {
        expect(await tf.setBackend(backend)).toBe(true);
        const reference = await outputsInRuns(1);
        for (const runs of [2, 3, 7, 1000]) {
          const got = await outputsInRuns(runs);
          got.forEach((g, i) => expect(g, `case ${i}, ${runs} runs`).toEqual(reference[i]));
        }
        // The default split (the backend's threads) too.
        (await outputsInRuns(undefined)).forEach((g, i) => expect(g, `case ${i}, default split`).toEqual(reference[i]));
      });
    }

    it('takes a rank-3 input and returns rank 3', async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const c = FORWARD_CASES[2]!;
      const { x, w } = inputsOf(c, 3);
      const y = tf.tidy(() =>
        groupConv2d(tf.tensor3d(Float32Array.from(x), c.xShape.slice(1) as [number, number, number]), tf.tensor4d(Float32Array.from(w), c.filterShape), c.strides, c.pad, c.groups),
      );
      expect(y.shape).toEqual(naiveGroupConv(x, w, c).shape.slice(1));
      y.dispose();
    });

    if (gradients) {
      it.each(GRADIENT_CASES.map((c) => [c.name, c] as const))('gradients vs finite differences: %s', async (_, c) => {
        expect(await tf.setBackend(backend)).toBe(true);
        const { x, w } = inputsOf(c, 21);
        const shape = naiveGroupConv(x, w, c).shape;
        const r = randomArray(size(shape), 23);
        const loss = (xv: Float64Array, wv: Float64Array) => naiveGroupConv(xv, wv, c).y.reduce((s, v, i) => s + v * r[i]!, 0);
        const expectedDx = finiteDifferences(loss, x, w, 'x');
        const expectedDw = finiteDifferences(loss, x, w, 'w');
        const [dx, dw] = tf.tidy(() =>
          tf.grads((xt: tf.Tensor, wt: tf.Tensor) =>
            groupConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, c.strides, c.pad, c.groups, c.dilations),
          )([tf.tensor4d(Float32Array.from(x), c.xShape), tf.tensor4d(Float32Array.from(w), c.filterShape)], tf.tensor(Float32Array.from(r), shape)),
        ) as [tf.Tensor, tf.Tensor];
        expect(relativeError(await dx.data(), expectedDx)).toBeLessThan(1e-4);
        expect(relativeError(await dw.data(), expectedDw)).toBeLessThan(1e-4);
        tf.dispose([dx, dw]);
      });

      it('gradients of the fused form: bias and ReLU', async () => {
        expect(await tf.setBackend(backend)).toBe(true);
        const c = GRADIENT_CASES[0]!;
        const { x, w } = inputsOf(c, 31);
        const b = randomArray(c.filterShape[3], 33);
        const shape = naiveGroupConv(x, w, c).shape;
        const r = randomArray(size(shape), 35);
        const co = c.filterShape[3];
        // L = Σ r · relu(conv + b); finite differences over b by hand.
        const loss = (xv: Float64Array, wv: Float64Array, bv: Float64Array = b) =>
          naiveGroupConv(xv, wv, c).y.reduce((s, v, i) => s + Math.max(0, v + bv[i % co]!) * r[i]!, 0);
        const expectedDw = finiteDifferences(loss, x, w, 'w', 1e-6);
        const expectedDb = b.map((_, k) => {
          const up = Float64Array.from(b);
          const down = Float64Array.from(b);
          up[k] = b[k]! + 1e-6;
          down[k] = b[k]! - 1e-6;
          return (loss(x, w, up) - loss(x, w, down)) / 2e-6;
        });
        const [dw, db] = tf.tidy(() =>
          tf.grads((wt: tf.Tensor, bt: tf.Tensor) =>
            fusedGroupConv2d<tf.Tensor4D>({
              x: tf.tensor4d(Float32Array.from(x), c.xShape),
              filter: wt as tf.Tensor4D,
              bias: bt as tf.Tensor1D,
              strides: c.strides,
              pad: c.pad,
              groups: c.groups,
              activation: 'relu',
            }),
          )([tf.tensor4d(Float32Array.from(w), c.filterShape), tf.tensor1d(Float32Array.from(b))], tf.tensor(Float32Array.from(r), shape)),
        ) as [tf.Tensor, tf.Tensor];
        expect(relativeError(await dw.data(), expectedDw)).toBeLessThan(1e-4);
        expect(relativeError(await db.data(), expectedDb)).toBeLessThan(1e-4);
        tf.dispose([dw, db]);
      });

      it('gradients of the residual form: x and filter by finite differences, residual and bias by hand', async () => {
        expect(await tf.setBackend(backend)).toBe(true);
        const c = GRADIENT_CASES[4]!;
        const { x, w, bias, residual, shape } = residualCase(c, 61);
        const r = randomArray(size(shape), 63);
        const co = c.filterShape[3];
        const pre = (xv: Float64Array, wv: Float64Array) => naiveGroupConv(xv, wv, c).y.map((v, i) => v + bias[i % co]! + residual[i]!);
        // L = Σ r · relu(conv + b + residual): dL/dresidual = r where the sum is positive, dL/db its per-channel sum.
        const loss = (xv: Float64Array, wv: Float64Array) => pre(xv, wv).reduce((s, v, i) => s + Math.max(0, v) * r[i]!, 0);
        const expectedDres = pre(x, w).map((v, i) => (v > 0 ? r[i]! : 0));
        const expectedDb = new Float64Array(co);
        expectedDres.forEach((v, i) => (expectedDb[i % co]! += v));
        const [dx, dw, db, dres] = tf.tidy(() =>
          tf.grads((xt: tf.Tensor, wt: tf.Tensor, bt: tf.Tensor, rt: tf.Tensor) =>
            fusedGroupConv2d<tf.Tensor4D>({
              x: xt as tf.Tensor4D,
              filter: wt as tf.Tensor4D,
              bias: bt as tf.Tensor1D,
              residual: rt as tf.Tensor4D,
              strides: c.strides,
              pad: c.pad,
              groups: c.groups,
              activation: 'relu',
            }),
          )(
            [tf.tensor4d(Float32Array.from(x), c.xShape), tf.tensor4d(Float32Array.from(w), c.filterShape), tf.tensor1d(Float32Array.from(bias)), tf.tensor(Float32Array.from(residual), shape)],
            tf.tensor(Float32Array.from(r), shape),
          ),
        ) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        expect(relativeError(await dx.data(), finiteDifferences(loss, x, w, 'x', 1e-6))).toBeLessThan(1e-4);
        expect(relativeError(await dw.data(), finiteDifferences(loss, x, w, 'w', 1e-6))).toBeLessThan(1e-4);
        expect(relativeError(await db.data(), expectedDb)).toBeLessThan(1e-5);
        expect(relativeError(await dres.data(), expectedDres)).toBeLessThan(1e-6);
        tf.dispose([dx, dw, db, dres]);
      });
    }

    it('does not leak tensors over 100 calls of the op and its gradient', async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const c = GRADIENT_CASES[1]!;
      const x = tf.tensor4d(Float32Array.from(randomArray(size(c.xShape), 1)), c.xShape);
      const w = tf.tensor4d(Float32Array.from(randomArray(size(c.filterShape), 2)), c.filterShape);
      const p = POINTWISE_CASES[1]!;
      const px = tf.tensor4d(Float32Array.from(randomArray(size(p.xShape), 3)), p.xShape);
      const pw = tf.tensor4d(Float32Array.from(randomArray(size(p.filterShape), 4)), p.filterShape);
      const pb = tf.tensor1d(Float32Array.from(randomArray(p.filterShape[3], 5)));
      const once = () => {
        groupConv2d(x, w, c.strides, c.pad, c.groups).dispose();
        tf.tidy(() => {
          fusedGroupConv2d({ x, filter: w, strides: c.strides, pad: c.pad, groups: c.groups, residual: tf.onesLike(groupConv2d(x, w, c.strides, c.pad, c.groups)), activation: 'relu' });
        });
        tf.fused.conv2d({ x: px, filter: pw, strides: p.strides, pad: p.pad, bias: pb, activation: 'relu' }).dispose();
        if (gradients) tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => groupConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad, c.groups))([x, w]));
      };
      once(); // warm-up: backends may allocate persistent state on first use
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) once();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, w, px, pw, pb]);
    });

    it('names the problem in its errors', async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const before = tf.memory().numTensors;
      const zeros = (shape: number[], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor4D => tf.zeros(shape as [number, number, number, number], dtype);
      const x = zeros([1, 5, 5, 6]);
      const cases: [() => unknown, RegExp][] = [
        [() => groupConv2d(x, zeros([3, 3, 2, 8]), 1, 'same', 4), /input channels \(6\) must be divisible by groups \(4\)/],
        [() => groupConv2d(x, zeros([3, 3, 2, 7]), 1, 'same', 3), /output channels \(filter.shape\[3\] = 7\) must be divisible by groups \(3\)/],
        [() => groupConv2d(x, zeros([3, 3, 3, 6]), 1, 'same', 3), /filter depth \(filter.shape\[2\] = 3\) must equal input channels \/ groups \(6 \/ 3 = 2\)/],
        [() => groupConv2d(zeros([5, 6]), zeros([3, 3, 2, 6]), 1, 'same', 3), /rank 4.*got shape \[5, 6\]/],
        [() => groupConv2d(zeros([1, 5, 5, 6], 'int32'), zeros([3, 3, 2, 6]), 1, 'same', 3), /x must be float32, got int32/],
        [() => groupConv2d(x, zeros([3, 3, 2, 6]), 2, 'same', 3, 2), /strides \[2, 2\] and dilations \[2, 2\] cannot both exceed 1/],
        [() => groupConv2d(x, zeros([3, 3, 2, 6]), 0, 'same', 3), /strides must be positive integers, got \[0, 0\]/],
        [() => groupConv2d(x, zeros([3, 3, 2, 6]), 1, 'full' as 'same', 3), /pad must be 'same', 'valid' or explicit/],
        [() => groupConv2d(x, zeros([3, 3, 2, 6]), 1, 'same', 1.5), /groups must be a positive integer, got 1.5/],
        [() => fusedGroupConv2d({ x, filter: zeros([3, 3, 2, 6]), pad: 'valid', groups: 3, residual: zeros([1, 5, 5, 6]) }), /residual must have the output's shape \[1, 3, 3, 6\], got \[1, 5, 5, 6\]/],
        [() => fusedGroupConv2d({ x, filter: zeros([3, 3, 2, 6]), pad: 'same', groups: 3, residual: zeros([1, 5, 5, 6], 'int32') }), /residual must be float32, got int32/],
      ];
      tf.tidy(() => {
        for (const [call, message] of cases) {
          expect(call).toThrow(GroupConvError);
          expect(call).toThrow(message);
        }
      });
      x.dispose();
      // Errors are raised before any kernel runs: nothing is allocated and left behind.
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
