// The native grouped-convolution kernel (AVX2 + FMA addon, Linux x64) on the wasm backend, through
// the op users call: against the float64 nested loop on the group shapes it takes (16 and 32 inputs
// per group), against itself on
// 1, 2 and 3 threads (bit for bit), and against the wasm kernels with the flag off.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { geometryNumbers, groupConvGeometry } from '../../ops/conv_geometry.js';
import { fusedGroupConv2d } from '../../ops/group_conv2d.js';
import { naiveGroupConv, randomArray, type NaiveConvCase } from '../../testing/naive_group_conv.js';
import { relativeError } from '@resnext/test-support';
import '../register_all.js';
import { NATIVE_KERNELS_FLAG } from './flags.js';
import { nativeAddon } from './native_addon.js';

// The addon is built for Linux x64 only; CI runs there.
const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';

interface Case extends NaiveConvCase {
  name: string;
  bias: boolean;
  residual: boolean;
}

const c = (name: string, xShape: Case['xShape'], filterShape: Case['filterShape'], groups: number, strides: number, pad: Case['pad'], bias = true, residual = false): Case => ({
  name, xShape, filterShape, groups, strides: [strides, strides], pad, dilations: [1, 1], bias, residual,
});

// Groups of 16 and 32 (8-channel vectors of one group, two per tile), a last lone vector (8 out
// per group), strides 1 and 2, 'same', 'valid' and explicit padding, batch 2, a residual.
const CASES: readonly Case[] = [
  c('32 groups of 16, stride 1, same, odd width', [1, 9, 7, 512], [3, 3, 16, 512], 32, 1, 'same'),
  c('32 groups of 16, stride 2, batch 2', [2, 8, 9, 512], [3, 3, 16, 512], 32, 2, 'same'),
  c('32 groups of 32, stride 2, explicit pad', [1, 8, 8, 1024], [3, 3, 32, 1024], 32, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]),
  c('32 groups of 16, valid, residual', [1, 7, 7, 512], [3, 3, 16, 512], 32, 1, 'valid', true, true),
  c('32 groups of 32, 5x6', [1, 5, 6, 1024], [3, 3, 32, 1024], 32, 1, 'same'),
  c('5 groups of 16 in, 8 out (40: a last lone vector), 5x5 kernel, no bias', [2, 6, 5, 80], [5, 5, 16, 40], 5, 1, 'same', false),
];

async function run(k: Case, seed: number): Promise<{ got: Float32Array; expected: Float64Array }> {
  const f32 = (a: Float64Array) => Float64Array.from(Float32Array.from(a));
  const xs = f32(randomArray(k.xShape.reduce((a, b) => a * b), seed));
  const ws = f32(randomArray(k.filterShape.reduce((a, b) => a * b), seed + 1));
  const outC = k.filterShape[3];
  const bs = f32(randomArray(outC, seed + 2));
  const { y: conv, shape } = naiveGroupConv(xs, ws, k);
  const rs = f32(randomArray(conv.length, seed + 3));
  const expected = conv.map((v, i) => Math.max(0, v + (k.bias ? bs[i % outC]! : 0) + (k.residual ? rs[i]! : 0)));
  const x = tf.tensor4d(Float32Array.from(xs), k.xShape);
  const filter = tf.tensor4d(Float32Array.from(ws), k.filterShape);
  const bias = k.bias ? tf.tensor1d(Float32Array.from(bs)) : undefined;
  const residual = k.residual ? tf.tensor4d(Float32Array.from(rs), shape) : undefined;
  const y = fusedGroupConv2d({ x, filter, bias, residual, strides: k.strides, pad: k.pad, groups: k.groups, activation: 'relu' });
  const got = (await y.data()) as Float32Array;
  tf.dispose([x, filter, bias, residual, y].filter((t) => t !== undefined));
  return { got, expected };
}

describe.runIf(onLinuxX64)('native grouped convolution on the wasm backend (linux-x64)', () => {
  afterAll(() => tf.env().set(NATIVE_KERNELS_FLAG, true));

  it.each(CASES)('$name: equals the float64 loop', async (k) => {
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(nativeAddon()).toBeDefined();
    const { got, expected } = await run(k, 7);
    expect(relativeError(got, expected)).toBeLessThan(1e-5);
  });

  it('gives bit-identical results on 1, 2 and 3 threads', () => {
    const addon = nativeAddon()!;
    const [n, h, w, inC, outC, groups] = [2, 9, 7, 512, 512, 32];
    const heap = new Float32Array(new SharedArrayBuffer(4 * (n * h * w * inC + 9 * 16 * outC + 2 * n * h * w * outC)));
    heap.set(Float32Array.from(randomArray(heap.length, 3)));
    const filter = n * h * w * inC;
    const y = filter + 9 * 16 * outC;
    const packed = new Float32Array(9 * 16 * outC);
    addon.groupConvPack(heap, filter, packed, 3, 3, 16, outC);
    const geo = groupConvGeometry([n, h, w, inC], [3, 3, inC / groups, outC], { strides: [1, 1], pad: 'same', dilations: [1, 1], groups });
    const geometry = geometryNumbers(geo);
    const outputs = [1, 2, 3].map((threads) => {
      heap.fill(Number.NaN, y);
      addon.groupConv(heap, packed, 0, -1, y + n * h * w * outC, y, 1, threads, ...geometry);
      return heap.slice(y, y + n * h * w * outC);
    });
    expect(outputs[0]!.some(Number.isNaN)).toBe(false);
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[2]).toEqual(outputs[0]);
  });

  it('with RESNEXT_NATIVE_KERNELS off the wasm kernel runs instead, within rounding', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const native = await run(CASES[3]!, 13);
    tf.env().set(NATIVE_KERNELS_FLAG, false);
    const wasm = await run(CASES[3]!, 13);
    tf.env().set(NATIVE_KERNELS_FLAG, true);
    expect(relativeError(wasm.got, native.got)).toBeLessThan(1e-5);
    expect(wasm.got).not.toEqual(native.got); // another kernel: another summation order
  });

  it('rejects shapes it does not compute and offsets outside the heap, with named errors', () => {
    const addon = nativeAddon()!;
    const heap = new Float32Array(4096);
    const packed = new Float32Array(9 * 2 * 6);
    // 3 groups of 2 out, and 32 groups of 4: not shapes of the kernel (the op sends those to the wasm kernel).
    expect(() => addon.groupConv(heap, packed, 0, -1, -1, 100, 0, 1, 1, 4, 4, 6, 3, 3, 6, 3, 1, 1, 1, 1, 1, 1, 4, 4)).toThrow(/groupConv: unsupported shape/);
    expect(() => addon.groupConv(heap, packed, 0, -1, -1, 100, 0, 1, 1, 2, 2, 128, 3, 3, 128, 32, 1, 1, 1, 1, 1, 1, 2, 2)).toThrow(/groupConv: unsupported shape/);
    expect(() => addon.groupConv(heap, new Float32Array(9 * 16 * 32), 0, -1, -1, 4000, 0, 1, 1, 4, 4, 32, 3, 3, 32, 2, 1, 1, 1, 1, 1, 1, 4, 4)).toThrow(/out of bounds/);
    expect(() => addon.groupConvPack(heap, 4090, packed, 3, 3, 8, 16)).toThrow(/groupConvPack: shape unsupported or out of bounds/);
  });
});
