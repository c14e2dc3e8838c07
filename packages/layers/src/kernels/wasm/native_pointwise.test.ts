// The native 1x1 kernels (AVX2 + FMA addon, Linux x64) on the wasm backend, as users get them:
// loaded from the package's prebuilds, taking tfjs' Conv2D / FusedConv2D and our fused residual
// convolution. Checked against the float64 nested loop, against themselves on 1 and 2 threads
// (bit for bit), against the wasm kernels with the flag off, and with bad arguments.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { relativeError } from '@resnext/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { geometryNumbers, groupConvGeometry } from '../../ops/conv_geometry.js';
import { fusedGroupConv2d } from '../../ops/group_conv2d.js';
import { naiveGroupConv, randomArray } from '../../testing/naive_group_conv.js';
import { GroupConv2DResidual } from '../kernel_names.js';
import '../register_all.js';
import { NATIVE_KERNELS_FLAG } from './flags.js';
import { nativeAddon, nativeKernelStatus, type NativeAddon } from './native_addon.js';

// The addon is built for Linux x64 only; CI runs there.
const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';

/** A 1x1 case: input [n, h, w, inC], outC, stride, and which epilogue inputs it has. */
interface Case {
  name: string;
  x: [number, number, number, number];
  outC: number;
  stride: number;
  bias: boolean;
  residual: boolean;
  relu: boolean;
}

// Pixel counts that leave partial 6-pixel tiles, output channels that leave a partial 16-channel
// panel, input channels over one 256-channel pass (partial sums written to y and read back).
const CASES: readonly Case[] = [
  { name: '1 pixel, 3 in, 5 out', x: [1, 1, 1, 3], outC: 5, stride: 1, bias: false, residual: false, relu: false },
  { name: 'odd sizes, 40 in, 28 out, bias + ReLU', x: [1, 5, 7, 40], outC: 28, stride: 1, bias: true, residual: false, relu: true },
  { name: 'batch 3, stride 2, 300 in (two passes), 37 out', x: [3, 9, 7, 300], outC: 37, stride: 2, bias: true, residual: false, relu: false },
  { name: 'ResNeXt block end: 128 -> 256, bias + residual + ReLU', x: [1, 7, 7, 128], outC: 256, stride: 1, bias: true, residual: true, relu: true },
  { name: '7x7 x 600 -> 200, three passes, residual', x: [2, 7, 7, 600], outC: 200, stride: 1, bias: false, residual: true, relu: false },
];

function reference(c: Case, x: Float64Array, w: Float64Array, bias: Float64Array, residual: Float64Array): Float64Array {
  const { y } = naiveGroupConv(x, w, {
    xShape: c.x,
    filterShape: [1, 1, c.x[3], c.outC],
    strides: [c.stride, c.stride],
    pad: 'valid',
    dilations: [1, 1],
    groups: 1,
  });
  return y.map((v, i) => {
    let s = v + (c.bias ? bias[i % c.outC]! : 0) + (c.residual ? residual[i]! : 0);
    if (c.relu) s = Math.max(s, 0);
    return s;
  });
}

/** The case on the active backend, through the op users call; also the kernels it ran. */
async function run(c: Case, seed: number): Promise<{ got: Float32Array; expected: Float64Array; kernels: string[] }> {
  const outH = Math.ceil(c.x[1] / c.stride);
  const outW = Math.ceil(c.x[2] / c.stride);
  const xs = randomArray(c.x.reduce((a, b) => a * b), seed);
  const ws = randomArray(c.x[3] * c.outC, seed + 1);
  const bs = randomArray(c.outC, seed + 2);
  const rs = randomArray(c.x[0] * outH * outW * c.outC, seed + 3);
  const x = tf.tensor4d(Float32Array.from(xs), c.x);
  const filter = tf.tensor4d(Float32Array.from(ws), [1, 1, c.x[3], c.outC]);
  const bias = c.bias ? tf.tensor1d(Float32Array.from(bs)) : undefined;
  const residual = c.residual ? tf.tensor4d(Float32Array.from(rs), [c.x[0], outH, outW, c.outC]) : undefined;
  const info = await tf.profile(() =>
    fusedGroupConv2d({ x, filter, bias, residual, strides: c.stride, pad: 'valid', groups: 1, activation: c.relu ? 'relu' : 'linear' }),
  );
  const result = info.result as tf.Tensor;
  const got = (await result.data()) as Float32Array;
  tf.dispose([x, filter, bias, residual, result].filter((t) => t !== undefined));
  // The reference sees the float32-rounded inputs the kernel saw.
  const f32 = (a: Float64Array) => Float64Array.from(Float32Array.from(a));
  return { got, expected: reference(c, f32(xs), f32(ws), f32(bs), f32(rs)), kernels: info.kernels.map((k) => k.name) };
}

/** The 16 geometry numbers the addon takes, of an unpadded 1×1 convolution of one group. */
function pointwiseGeometry(x: [number, number, number, number], outC: number, stride: number): number[] {
  return geometryNumbers(groupConvGeometry(x, [1, 1, x[3], outC], { strides: [stride, stride], pad: 'valid', dilations: [1, 1], groups: 1 }));
}

describe.runIf(onLinuxX64)('native 1x1 kernels on the wasm backend (linux-x64)', () => {
  afterAll(() => tf.env().set(NATIVE_KERNELS_FLAG, true));

  it('load from the package and report why', () => {
    expect(nativeKernelStatus()).toEqual({ active: true, reason: 'AVX2 + FMA addon for linux-x64' });
    expect(nativeAddon()).toBeDefined();
  });

  it.each(CASES)('$name: equals the float64 loop, with bias, residual and ReLU fused', async (c) => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const { got, expected, kernels } = await run(c, 11);
    expect(relativeError(got, expected)).toBeLessThan(1e-5);
    // A residual makes the op our fused kernel; without one it is tfjs' FusedConv2D, routed to ours.
    if (c.residual) expect(kernels).toEqual([GroupConv2DResidual]);
  });

  it('gives bit-identical results on 1, 2 and 3 threads (the addon on a shared heap, as the threaded wasm build has)', () => {
    const addon = nativeAddon()!;
    for (const c of CASES) {
      const [n, h, w, inC] = c.x;
      const outH = Math.ceil(h / c.stride);
      const outW = Math.ceil(w / c.stride);
      const sizes = { x: n * h * w * inC, filter: inC * c.outC, bias: c.outC, y: n * outH * outW * c.outC };
      const heap = new Float32Array(new SharedArrayBuffer(4 * (sizes.x + sizes.filter + sizes.bias + 2 * sizes.y)));
      const at = { x: 0, filter: sizes.x, bias: sizes.x + sizes.filter, residual: sizes.x + sizes.filter + sizes.bias, y: sizes.x + sizes.filter + sizes.bias + sizes.y };
      heap.set(Float32Array.from(randomArray(at.y, 51)));
      const packed = new Float32Array(addon.packedFloats(inC, c.outC));
      addon.pack(heap, at.filter, packed, inC, c.outC);
      const outputs = [1, 2, 3].map((threads) => {
        heap.fill(Number.NaN, at.y);
        addon.pointwise(heap, packed, at.x, c.bias ? at.bias : -1, c.residual ? at.residual : -1, at.y, c.relu ? 1 : 0, threads, ...pointwiseGeometry(c.x, c.outC, c.stride));
        return heap.slice(at.y);
      });
      expect(outputs[0]!.some(Number.isNaN), c.name).toBe(false);
      expect(outputs[1], c.name).toEqual(outputs[0]);
      expect(outputs[2], c.name).toEqual(outputs[0]);
    }
  });

  it('with RESNEXT_NATIVE_KERNELS off the wasm kernels run instead, within rounding of the native ones', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const c = CASES[3]!;
    const native = await run(c, 31);
    tf.env().set(NATIVE_KERNELS_FLAG, false);
    expect(nativeKernelStatus()).toEqual({ active: false, reason: `${NATIVE_KERNELS_FLAG} is off` });
    const wasm = await run(c, 31);
    tf.env().set(NATIVE_KERNELS_FLAG, true);
    expect(relativeError(wasm.got, native.got)).toBeLessThan(1e-5);
    expect(wasm.got).not.toEqual(native.got); // a different summation (FMA, 8 lanes): not the same kernel
  });

  it('leaks no tensors over repeated calls', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    await run(CASES[1]!, 41);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) await run(CASES[1]!, 41);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs on the main thread and a worker_thread at once, each with its own thread pool', async () => {
    // Each side computes a convolution of its own (other data, other width) 150 times on 2 threads
    // while the other side does too, and compares every result with its one-thread result: one
    // pool shared by both threads would mix their jobs.
    const addonFile = fileURLToPath(new URL('../../../prebuilds/linux-x64/resnext-kernels.node', import.meta.url));
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       ${repeatedConvolution.toString()}
       parentPort.postMessage('started');
       parentPort.postMessage(repeatedConvolution(workerData.addonFile, 1, workerData.geometry));`,
      { eval: true, workerData: { addonFile, geometry: pointwiseGeometry([1, 14, 14, 256], 192, 1) } },
    );
    let started = false;
    const done = new Promise<number>((resolve, reject) => {
      worker.on('message', (m) => (m === 'started' ? (started = true) : resolve(m as number)));
      worker.on('error', reject);
    });
    while (!started) await new Promise((r) => setTimeout(r, 1));
    const main = repeatedConvolution(addonFile, 0, pointwiseGeometry([1, 14, 14, 256], 256, 1));
    const other = await done;
    await worker.terminate();
    expect(main).toBe(150);
    expect(other).toBe(150);
  });

  it('rejects offsets and shapes outside the heap with a named error, touching nothing', () => {
    const addon = nativeAddon()!;
    const heap = new Float32Array(64);
    const packed = new Float32Array(addon.packedFloats(4, 4));
    expect(() => addon.pack(heap, 60, packed, 4, 4)).toThrow(/pack: the filter or the packed array is out of bounds/);
    expect(() => addon.pointwise(heap, packed, 0, -1, -1, 60, 0, 1, 1, 2, 2, 4, 1, 1, 4, 1, 1, 1, 1, 1, 0, 0, 2, 2)).toThrow(/pointwise: shape or offsets out of bounds/);
    expect(() => addon.pointwise(heap, packed, 0, -1, -1, 32, 0, 1, 1, 2, 2, 4, 1, 1, 4, 1, 1, 1, 1, 1, 0, 0, 3, 2)).toThrow(/pointwise: shape or offsets out of bounds/);
    expect(() => addon.pointwise(heap, new Float32Array(2), 0, -1, -1, 32, 0, 1, 1, 2, 2, 4, 1, 1, 4, 1, 1, 1, 1, 1, 0, 0, 2, 2)).toThrow(/out of bounds/);
    expect(() => (addon.pointwise as (...a: unknown[]) => void)(heap, packed, 0)).toThrow(/pointwise: bad arguments/);
  });
});

/**
 * Loads the addon from `addonFile`, computes the 1×1 convolution of a 14×14×256 input given by
 * `geometry` (the addon's 16 numbers; data varied by `salt`) on one thread, then 150 times on 2
 * threads; returns how many of those equal the first. Self-contained: a worker_thread runs its source too.
 */
function repeatedConvolution(addonFile: string, salt: number, geometry: number[]): number {
  const module = { exports: {} as NativeAddon };
  process.dlopen(module, addonFile);
  const addon = module.exports;
  const [h, k, n] = [14, 256, geometry[6]!];
  const heap = new Float32Array(new SharedArrayBuffer(4 * (h * h * k + k * n + h * h * n)));
  for (let i = 0; i < h * h * k + k * n; i++) heap[i] = ((i * 7919 + salt) % 997) / 997 - 0.5;
  const packed = new Float32Array(addon.packedFloats(k, n));
  addon.pack(heap, h * h * k, packed, k, n);
  const y = h * h * k + k * n;
  addon.pointwise(heap, packed, 0, -1, -1, y, 1, 1, ...geometry);
  const expected = heap.slice(y);
  let same = 0;
  for (let r = 0; r < 150; r++) {
    heap.fill(0, y);
    addon.pointwise(heap, packed, 0, -1, -1, y, 1, 2, ...geometry);
    if (heap.subarray(y).every((v, i) => Object.is(v, expected[i]))) same++;
  }
  return same;
}
