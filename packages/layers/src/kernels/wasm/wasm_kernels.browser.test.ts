/// <reference types="vite/client" />
// Our wasm kernels in Chromium. The test server is cross-origin isolated, so tfjs picks its
// threaded SIMD build, whose heap is a shared WebAssembly.Memory: this runs the kernel variant
// that imports a shared memory (Node runs the other one).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { describe, expect, it } from 'vitest';
import { relativeError } from '@resnext/test-support';
import { fusedGroupConv2d, groupConv2d } from '../../ops/group_conv2d.js';
import type { ConvCase } from '../../testing/group_conv2d_cases.js';
import { naiveGroupConv, randomArray } from '../../testing/naive_group_conv.js';
import { GroupConv2D, GroupConv2DBackpropFilter, GroupConv2DBackpropInput } from '../kernel_names.js';
import '../register_all.js';
import { heapMemory, type WasmBackend } from './wasm_backend.js';

type Shape4 = [number, number, number, number];
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

// tfjs looks for its .wasm binaries next to the bundled script, where Vite has none.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

const CASES: ConvCase[] = [
  { name: 'ResNeXt 4 / 4 per group, stride 2', xShape: [2, 9, 9, 32], filterShape: [3, 3, 4, 32], groups: 8, strides: [2, 2], pad: 'same', dilations: [1, 1] },
  { name: '16 / 16, dilation 2', xShape: [1, 8, 9, 32], filterShape: [3, 3, 16, 32], groups: 2, strides: [1, 1], pad: 'same', dilations: [2, 2] },
  { name: '3 / 5 (partial planes and chunk), explicit', xShape: [1, 7, 6, 6], filterShape: [3, 3, 3, 10], groups: 2, strides: [1, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]], dilations: [1, 1] },
];

describe('wasm kernels in Chromium', () => {
  it('run on the threaded build\'s shared heap', async () => {
    expect(crossOriginIsolated).toBe(true);
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(heapMemory(tf.backend() as WasmBackend)?.buffer).toBeInstanceOf(SharedArrayBuffer);
    const x = tf.ones([1, 6, 6, 16]);
    const w = tf.ones([3, 3, 4, 16]);
    const info = await tf.profile(() => tf.grads((xt: tf.Tensor, wt: tf.Tensor) => groupConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, 1, 'same', 4))([x, w]));
    expect(info.kernels.map((k) => k.name)).toEqual(expect.arrayContaining([GroupConv2D, GroupConv2DBackpropInput, GroupConv2DBackpropFilter]));
    tf.dispose([x, w, ...(info.result as tf.Tensor[])]);
  });

  it.each(CASES.map((k) => [k.name, k] as const))('forward with bias + ReLU matches the float64 loop: %s', async (_, k) => {
    await tf.setBackend('wasm');
    const x = randomArray(size(k.xShape), 1);
    const w = randomArray(size(k.filterShape), 2);
    const bias = randomArray(k.filterShape[3], 3);
    const co = k.filterShape[3];
    const expected = naiveGroupConv(x, w, k).y.map((v, i) => Math.max(0, v + bias[i % co]!));
    const y = tf.tidy(() =>
      fusedGroupConv2d<tf.Tensor4D>({
        x: tf.tensor4d(Float32Array.from(x), k.xShape),
        filter: tf.tensor4d(Float32Array.from(w), k.filterShape),
        bias: tf.tensor1d(Float32Array.from(bias)),
        strides: k.strides,
        pad: k.pad,
        groups: k.groups,
        dilations: k.dilations,
        activation: 'relu',
      }),
    );
    expect(relativeError(await y.data(), expected)).toBeLessThan(1e-5);
    y.dispose();
  });

  it.each(CASES.map((k) => [k.name, k] as const))('input and filter gradients equal the cpu kernels\': %s', async (_, k) => {
    const x = Float32Array.from(randomArray(size(k.xShape), 4));
    const w = Float32Array.from(randomArray(size(k.filterShape), 5));
    const gradients = async (backend: string) => {
      await tf.setBackend(backend);
      const [dx, dw] = tf.tidy(() =>
        tf.grads((xt: tf.Tensor, wt: tf.Tensor) => groupConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, k.strides, k.pad, k.groups, k.dilations))([
          tf.tensor4d(x, k.xShape),
          tf.tensor4d(w, k.filterShape),
        ]),
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

  it('gives tf.conv2d a filter gradient (Conv2DBackpropFilter) equal to the cpu backend\'s', async () => {
    const xShape: Shape4 = [2, 9, 8, 3];
    const filterShape: Shape4 = [3, 3, 3, 8];
    const x = Float32Array.from(randomArray(size(xShape), 6));
    const w = Float32Array.from(randomArray(size(filterShape), 7));
    const gradient = async (backend: string) => {
      await tf.setBackend(backend);
      const info = await tf.profile(() => tf.grad((wt: tf.Tensor) => tf.conv2d(tf.tensor4d(x, xShape), wt as tf.Tensor4D, 2, 'same'))(tf.tensor4d(w, filterShape)));
      const grad = info.result as tf.Tensor;
      const values = await grad.data();
      grad.dispose();
      return { values, kernels: info.kernels.map((k) => k.name) };
    };
    const cpu = await gradient('cpu');
    const wasm = await gradient('wasm');
    expect(wasm.kernels).toContain(tf.Conv2DBackpropFilter);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-5);
  });
});
