// Our wasm SIMD kernels in Node, beyond the shared spec: that they (not the generic path) run,
// every specialization of the C code (chunk widths 4/8/16 and padded ones, channels per group
// that are or are not multiples of 4, stride phases, multi-tile images), the packed-filter cache
// and heap growth. References: the float64 loop, and our independent cpu kernels for gradients.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError } from '@resnext/test-support';
import { fusedGroupConv2d, groupConv2d } from '../../ops/group_conv2d.js';
import type { ConvCase } from '../../testing/group_conv2d_cases.js';
import { axisGeometry, naiveGroupConv, randomArray } from '../../testing/naive_group_conv.js';
import { GroupConv2D, GroupConv2DBackpropFilter, GroupConv2DBackpropInput, GroupConv2DResidual } from '../kernel_names.js';
import '../register_all.js';
import { groupConvGeometry, geometryNumbers } from '../../ops/conv_geometry.js';
import { KERNELS_WASM_BASE64, KERNELS_WASM_SHARED_PATCH } from './generated/kernels_wasm.js';
import { applySharedMemoryPatch, kernelInstance } from './kernel_module.js';
import { heapMemory, type WasmBackend } from './wasm_backend.js';

type Shape4 = [number, number, number, number];
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

const c = (name: string, xShape: Shape4, filterShape: Shape4, groups: number, strides: [number, number], pad: ConvCase['pad'], dilations: [number, number] = [1, 1]): ConvCase => ({
  name,
  xShape,
  filterShape,
  groups,
  strides,
  pad,
  dilations,
});

// Output channels per group 1..36 cover chunk widths 4, 8, 16 alone and combined (12 = 8 + 4,
// 20 = 16 + 4, 28 = 16 + 8 + 4, 36 = 16 + 16 + 4) and padded last chunks; input channels per
// group cover whole and partial 4-channel planes.
const CASES: ConvCase[] = [
  c('ResNeXt 4 in / 4 out per group', [2, 9, 10, 32], [3, 3, 4, 32], 8, [1, 1], 'same'),
  c('8 / 8, stride 2', [1, 11, 9, 64], [3, 3, 8, 64], 8, [2, 2], 'same'),
  c('16 / 16, batch 3', [3, 6, 7, 64], [3, 3, 16, 64], 4, [1, 1], 'same'),
  c('32 / 32, stride 2 valid', [1, 9, 9, 64], [3, 3, 32, 64], 2, [2, 2], 'valid'),
  c('64 / 36 (16 + 16 + 4)', [1, 5, 6, 128], [3, 3, 64, 72], 2, [1, 1], 'same'),
  c('5 / 12 (8 + 4), explicit pad', [1, 8, 7, 15], [3, 3, 5, 36], 3, [1, 1], [[0, 0], [2, 0], [1, 3], [0, 0]]),
  c('6 / 20 (16 + 4), dilation 2', [1, 10, 11, 12], [3, 3, 6, 40], 2, [1, 1], 'same', [2, 2]),
  c('2 / 28 (16 + 8 + 4), stride 3', [1, 13, 14, 4], [3, 3, 2, 56], 2, [3, 3], 'same'),
  c('7 / 3 (padded chunk), 5x5 stride (1, 2)', [2, 9, 12, 14], [5, 5, 7, 6], 2, [1, 2], 'same'),
  c('depthwise 1 / 1', [1, 6, 6, 8], [3, 3, 1, 8], 8, [1, 1], 'same'),
  c('1x1 stride 2: half of dx is never read', [2, 7, 8, 16], [1, 1, 4, 8], 4, [2, 2], 'valid'),
  c('2x4 filter, dilation (2, 1)', [1, 9, 8, 8], [2, 4, 4, 8], 2, [1, 1], 'valid', [2, 1]),
  c('wide image: several row tiles', [1, 24, 150, 48], [3, 3, 12, 48], 4, [1, 1], 'same'),
  // Outputs (and input gradients) over 2 MB go through a cache-resident tile copied to y.
  c('2.5 MB output: tiles computed aside and copied', [2, 40, 120, 64], [3, 3, 8, 64], 8, [1, 1], 'same'),
  // 4 / 4 reads NHWC in place: two-row blocks, border pixels with fewer taps, rows with none.
  c('4 / 4, dilation 2, explicit pad', [1, 9, 11, 16], [3, 3, 4, 16], 4, [1, 1], [[0, 0], [3, 1], [0, 4], [0, 0]], [2, 2]),
  c('4 / 4, 5x4 filter wider than the image, stride (1, 2)', [2, 7, 3, 8], [5, 4, 4, 8], 2, [1, 2], 'same'),
  c('4 / 4, 1x1 valid, odd rows', [1, 5, 8, 12], [1, 1, 4, 12], 3, [1, 1], 'valid'),
  // One group, 1x1: the input is read in place (dilation only routes it to our kernel).
  c('1x1 one group, stride 2, read in place', [2, 7, 9, 20], [1, 1, 20, 24], 1, [2, 2], 'valid'),
  c('1x1 one group, dilation 2, read in place', [1, 5, 7, 20], [1, 1, 20, 24], 1, [1, 1], 'valid', [2, 2]),
];

// One-group 1x1 convolutions read in place in tiles of many rows (each chunk's weights serve them
// all), over 2 MB: computed aside and copied (128 input channels: the FMA build takes these over
// from XNNPACK). Forward only: the cpu backend's gradients at this size take minutes.
const LARGE_POINTWISE_CASES: ConvCase[] = [
  c('1x1 one group, 2.4 MB output in multi-row tiles', [1, 40, 40, 128], [1, 1, 128, 376], 1, [1, 1], 'valid'),
  c('1x1 one group, stride 2, batch 2, 2.2 MB output in multi-row tiles', [2, 54, 54, 128], [1, 1, 128, 384], 1, [2, 2], 'same'),
];

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('wasm kernels', () => {
  it('are registered, with tfjs-core Conv2DBackpropFilter that tfjs-backend-wasm lacks', () => {
    for (const name of [GroupConv2D, GroupConv2DBackpropInput, GroupConv2DBackpropFilter, tf.Conv2DBackpropFilter]) {
      expect(tf.getKernel(name, 'wasm')?.kernelFunc).toBeTypeOf('function');
    }
  });

  it('run for the op and its gradient (not the generic core-op path)', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 6, 6, 16]);
    const w = tf.ones([3, 3, 4, 16]);
    const b = tf.ones([16]);
    const conv = (xt: tf.Tensor, wt: tf.Tensor) =>
      fusedGroupConv2d<tf.Tensor4D>({ x: xt as tf.Tensor4D, filter: wt as tf.Tensor4D, bias: b as tf.Tensor1D, pad: 'same', groups: 4, activation: 'relu' });
    const info = await tf.profile(() => tf.grads(conv)([x, w]));
    const names = info.kernels.map((k) => k.name);
    expect(names).toEqual(expect.arrayContaining([GroupConv2D, GroupConv2DBackpropInput, GroupConv2DBackpropFilter]));
    expect(names).not.toContain('Conv2D');
    expect(names).not.toContain('DepthwiseConv2dNative');
    tf.dispose([x, w, b, ...(info.result as tf.Tensor[])]);
  });

  it.each([...CASES, ...LARGE_POINTWISE_CASES].map((k) => [k.name, k] as const))('forward, plain, with bias + ReLU, and with a residual too: %s', async (_, k) => {
    await tf.setBackend('wasm');
    const x = randomArray(size(k.xShape), 1);
    const w = randomArray(size(k.filterShape), 2);
    const bias = randomArray(k.filterShape[3], 3);
    const expected = naiveGroupConv(x, w, k);
    const residual = randomArray(expected.y.length, 4);
    const co = k.filterShape[3];
    const [plain, fused, withResidual] = tf.tidy(() => {
      const args = { x: tf.tensor4d(Float32Array.from(x), k.xShape), filter: tf.tensor4d(Float32Array.from(w), k.filterShape), strides: k.strides, pad: k.pad, groups: k.groups, dilations: k.dilations };
      const biased = { ...args, bias: tf.tensor1d(Float32Array.from(bias)), activation: 'relu' as const };
      return [
        fusedGroupConv2d<tf.Tensor4D>(args),
        fusedGroupConv2d<tf.Tensor4D>(biased),
        fusedGroupConv2d<tf.Tensor4D>({ ...biased, residual: tf.tensor4d(Float32Array.from(residual), expected.shape) }),
      ] as const;
    });
    expect(plain.shape).toEqual(expected.shape);
    expect(relativeError(await plain.data(), expected.y)).toBeLessThan(1e-5);
    expect(relativeError(await fused.data(), expected.y.map((v, i) => Math.max(0, v + bias[i % co]!)))).toBeLessThan(1e-5);
    expect(relativeError(await withResidual.data(), expected.y.map((v, i) => Math.max(0, v + bias[i % co]! + residual[i]!)))).toBeLessThan(1e-5);
    tf.dispose([plain, fused, withResidual]);
  });

  it('fuses the residual of grouped convolutions into our kernel, bit-identical to our kernel, Add and ReLU', async () => {
    await tf.setBackend('wasm');
    const k = CASES[4]!;
    const x = tf.tensor4d(Float32Array.from(randomArray(size(k.xShape), 5)), k.xShape);
    const w = tf.tensor4d(Float32Array.from(randomArray(size(k.filterShape), 6)), k.filterShape);
    const b = tf.tensor1d(Float32Array.from(randomArray(k.filterShape[3], 7)));
    const args = { x, filter: w, bias: b, strides: k.strides, pad: k.pad, groups: k.groups };
    const conv = fusedGroupConv2d<tf.Tensor4D>(args);
    const residual = tf.tensor4d(Float32Array.from(randomArray(conv.size, 8)), conv.shape);
    const info = await tf.profile(() => fusedGroupConv2d<tf.Tensor4D>({ ...args, residual, activation: 'relu' }));
    expect(info.kernels.map((kernel) => kernel.name)).toEqual([GroupConv2DResidual]);
    const unfused = tf.relu(tf.add(conv, residual));
    expect(await (info.result as tf.Tensor).data()).toEqual(await unfused.data());
    // A plain 3x3 convolution stays on XNNPACK (faster than our kernel there), then Add and ReLU.
    const dense = tf.zeros<tf.Rank.R4>([1, 6, 6, 8]);
    const plainInfo = await tf.profile(() => fusedGroupConv2d({ x: dense, filter: tf.ones([3, 3, 8, 8]), pad: 'same', groups: 1, residual: tf.zeros<tf.Rank.R4>([1, 6, 6, 8]), activation: 'relu' }));
    expect(plainInfo.kernels.map((kernel) => kernel.name)).not.toContain(GroupConv2DResidual);
    tf.dispose([x, w, b, conv, residual, unfused, dense, info.result, plainInfo.result]);
  });

  it.each(CASES.map((k) => [k.name, k] as const))('input and filter gradients equal the cpu kernels\': %s', async (_, k) => {
    const x = Float32Array.from(randomArray(size(k.xShape), 4));
    const w = Float32Array.from(randomArray(size(k.filterShape), 5));
    const dyShape: Shape4 = [
      k.xShape[0],
      axisGeometry(k.xShape[1], k.filterShape[0], k.strides[0], k.dilations[0], k.pad, 1).out,
      axisGeometry(k.xShape[2], k.filterShape[1], k.strides[1], k.dilations[1], k.pad, 2).out,
      k.filterShape[3],
    ];
    const dy = Float32Array.from(randomArray(size(dyShape), 6));
    const gradients = async (backend: string) => {
      await tf.setBackend(backend);
      const [dx, dw] = tf.tidy(() =>
        tf.grads((xt: tf.Tensor, wt: tf.Tensor) => groupConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, k.strides, k.pad, k.groups, k.dilations))(
          [tf.tensor4d(x, k.xShape), tf.tensor4d(w, k.filterShape)],
          tf.tensor4d(dy, dyShape),
        ),
      ) as [tf.Tensor, tf.Tensor];
      const values = [await dx.data(), await dw.data()];
      tf.dispose([dx, dw]);
      return values;
    };
    const [cpuDx, cpuDw] = await gradients('cpu');
    const [wasmDx, wasmDw] = await gradients('wasm');
    expect(relativeError(wasmDx!, cpuDx!)).toBeLessThan(1e-5);
    expect(relativeError(wasmDw!, cpuDw!)).toBeLessThan(1e-5);
  });

  it('derives the shared-memory build from the plain one: it links against a shared memory only', () => {
    const plain = Uint8Array.from(atob(KERNELS_WASM_BASE64), (ch) => ch.charCodeAt(0));
    const shared = new WebAssembly.Module(applySharedMemoryPatch(plain, KERNELS_WASM_SHARED_PATCH));
    const sharedMemory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
    const plainMemory = new WebAssembly.Memory({ initial: 16 });
    expect(() => new WebAssembly.Instance(shared, { env: { memory: sharedMemory } })).not.toThrow();
    expect(() => new WebAssembly.Instance(shared, { env: { memory: plainMemory } })).toThrow(WebAssembly.LinkError);
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(plain), { env: { memory: sharedMemory } })).toThrow(WebAssembly.LinkError);
    expect(WebAssembly.Module.exports(shared)).toEqual(WebAssembly.Module.exports(new WebAssembly.Module(plain)));
  });

  it('splits output channels between threads only where the filter outweighs the input', async () => {
    await tf.setBackend('wasm');
    const { exports: kernels, wide } = kernelInstance(tf.backend() as WasmBackend);
    const parts = (threads: number, x: Shape4, f: Shape4, groups = 1, strides: [number, number] = [1, 1]) =>
      kernels.group_conv_forward_parts(threads, wide ? 1 : 0, ...geometryNumbers(groupConvGeometry(x, f, { strides, pad: 'valid', dilations: [1, 1], groups })));
    // One part per chunk of a 1x1 GEMM: 24 channels wide on the FMA build's wide core, else 16.
    // ResNeXt-50's last stage: 7x7 pixels, 1024 x 2048 weights.
    expect(parts(2, [1, 7, 7, 1024], [1, 1, 1024, 2048])).toBe(wide ? 86 : 128); // 85 x 24 + 8
    expect(parts(4, [1, 7, 7, 2048], [1, 1, 2048, 1000])).toBe(wide ? 42 : 63); // 41 x 24 + 16; 62 x 16 + 8
    expect(parts(2, [1, 14, 14, 1024], [1, 1, 1024, 2048], 1, [2, 2])).toBe(wide ? 86 : 128);
    expect(parts(2, [1, 3, 3, 128], [1, 1, 128, 24])).toBe(wide ? 1 : 2); // 24 channels: one chunk, or 16 + 8
    expect(parts(1, [1, 7, 7, 1024], [1, 1, 1024, 2048])).toBe(1); // one thread: nothing to balance
    expect(parts(2, [1, 56, 56, 256], [1, 1, 256, 128])).toBe(1); // more input than weights: rows
    expect(parts(2, [1, 7, 7, 1024], [3, 3, 32, 1024], 32)).toBe(1); // grouped: rows
    expect(parts(2, [8, 7, 7, 1024], [1, 1, 1024, 2048])).toBe(1); // batch 8: a 3.2 MB output is tiled, not in place
  });

  it('packs filters per tensor, not per heap address: a freed filter\'s successor is not stale', async () => {
    await tf.setBackend('wasm');
    const k = CASES[0]!;
    const x = tf.tensor4d(Float32Array.from(randomArray(size(k.xShape), 7)), k.xShape);
    for (let seed = 10; seed < 14; seed++) {
      const w = randomArray(size(k.filterShape), seed);
      // Each filter is freed before the next is made, so the heap hands out the same block.
      const filter = tf.tensor4d(Float32Array.from(w), k.filterShape);
      const y = groupConv2d(x, filter, k.strides, k.pad, k.groups);
      filter.dispose();
      expect(relativeError(await y.data(), naiveGroupConv(await x.data(), w, k).y)).toBeLessThan(1e-5);
      y.dispose();
    }
    x.dispose();
  });

  it('sees a Variable\'s new value after assign', async () => {
    await tf.setBackend('wasm');
    const k = CASES[1]!;
    const x = tf.tensor4d(Float32Array.from(randomArray(size(k.xShape), 8)), k.xShape);
    const w1 = randomArray(size(k.filterShape), 20);
    const w2 = randomArray(size(k.filterShape), 21);
    const v = tf.variable(tf.tensor4d(Float32Array.from(w1), k.filterShape));
    const y1 = groupConv2d(x, v as tf.Tensor4D, k.strides, k.pad, k.groups);
    v.assign(tf.tensor4d(Float32Array.from(w2), k.filterShape));
    const y2 = groupConv2d(x, v as tf.Tensor4D, k.strides, k.pad, k.groups);
    const xv = await x.data();
    expect(relativeError(await y1.data(), naiveGroupConv(xv, w1, k).y)).toBeLessThan(1e-5);
    expect(relativeError(await y2.data(), naiveGroupConv(xv, w2, k).y)).toBeLessThan(1e-5);
    tf.dispose([x, v, y1, y2]);
  });

  it('frees packed filters with their tensors (the heap stops growing)', async () => {
    await tf.setBackend('wasm');
    const memory = heapMemory(tf.backend() as WasmBackend)!;
    const x = tf.ones<tf.Rank.R4>([1, 4, 4, 1024]);
    const step = () => {
      // A 1.2 MB filter, new each step as in training; its packed copy is as large.
      const w = tf.randomNormal<tf.Rank.R4>([3, 3, 32, 1024]);
      const [y, dx] = [groupConv2d(x, w, 1, 'same', 32), tf.grad((xt: tf.Tensor) => groupConv2d(xt as tf.Tensor4D, w, 1, 'same', 32))(x)];
      tf.dispose([w, y, dx]);
    };
    for (let i = 0; i < 5; i++) step();
    const before = memory.buffer.byteLength;
    for (let i = 0; i < 60; i++) step();
    // Leaking both packings would take 60 x 2.4 MB = 144 MB more.
    expect(memory.buffer.byteLength - before).toBeLessThan(16 * 2 ** 20);
    x.dispose();
  });

  it('stays correct after the heap grows under it', async () => {
    await tf.setBackend('wasm');
    const k = CASES[2]!;
    const memory = heapMemory(tf.backend() as WasmBackend)!;
    const x = randomArray(size(k.xShape), 30);
    const w = randomArray(size(k.filterShape), 31);
    const before = memory.buffer.byteLength;
    const big = tf.zeros([before / 2]); // forces memory.grow: every JS view of the old buffer detaches
    expect(memory.buffer.byteLength).toBeGreaterThan(before);
    const y = tf.tidy(() => groupConv2d(tf.tensor4d(Float32Array.from(x), k.xShape), tf.tensor4d(Float32Array.from(w), k.filterShape), k.strides, k.pad, k.groups));
    expect(relativeError(await y.data(), naiveGroupConv(x, w, k).y)).toBeLessThan(1e-5);
    tf.dispose([big, y]);
  });

  it('handles an empty batch: empty output, zero filter gradient', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros<tf.Rank.R4>([0, 5, 5, 8]);
    const w = tf.ones<tf.Rank.R4>([3, 3, 4, 8]);
    const [y, dw] = [groupConv2d(x, w, 1, 'same', 2), tf.grad((wt: tf.Tensor) => groupConv2d(x, wt as tf.Tensor4D, 1, 'same', 2))(w)];
    expect(y.shape).toEqual([0, 5, 5, 8]);
    expect(Array.from(await dw.data()).every((v) => v === 0)).toBe(true);
    tf.dispose([x, w, y, dw]);
  });
});
