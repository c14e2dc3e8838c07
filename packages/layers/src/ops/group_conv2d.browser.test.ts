/// <reference types="vite/client" />
// The shared grouped-convolution spec in Chromium: webgl (our GLSL kernels on SwiftShader's
// WebGL 2), webgpu (our WGSL kernels on SwiftShader's Vulkan) and wasm (forward only; wasm has no
// kernel of ours here, so the op runs the generic core-op path).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { describe, expect, it } from 'vitest';
import '../kernels/register_all.js';
import { relativeError } from '@resnext/test-support';
import { GroupConv2D, GroupConv2DBackpropFilter, GroupConv2DBackpropInput } from '../kernels/kernel_names.js';
import type { ConvCase } from '../testing/group_conv2d_cases.js';
import { groupConv2dSpec } from '../testing/group_conv2d_spec.js';
import { finiteDifferences, naiveGroupConv, randomArray } from '../testing/naive_group_conv.js';
import { fusedGroupConv2d, groupConv2d } from './group_conv2d.js';

type Shape4 = [number, number, number, number];
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

// tfjs looks for its .wasm binaries next to the bundled script, where Vite has none; `?url`
// imports make Vite serve each binary and hand us its URL.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

groupConv2dSpec('webgl');
groupConv2dSpec('webgpu');
groupConv2dSpec('wasm');

// The spec checks values; this checks that they came from our kernels rather than the generic
// fallback (which would pass the spec too), for both shader variants of each backend.
describe.each(['webgl', 'webgpu'])('groupConv2d on %s runs our kernels', (backend) => {
  const variants: [string, Shape4, Shape4, number][] = [
    ['4 channels per group in and out (webgl packed, webgpu vec4)', [1, 6, 6, 16], [3, 3, 4, 16], 4],
    ['3 in, 2 out per group (the general programs)', [1, 6, 5, 6], [3, 3, 3, 4], 2],
  ];
  it.each(variants)('%s', async (_, xShape, filterShape, groups) => {
    expect(await tf.setBackend(backend)).toBe(true);
    const x = tf.ones(xShape);
    const w = tf.ones(filterShape);
    const b = tf.ones([filterShape[3]]);
    const conv = (xt: tf.Tensor, wt: tf.Tensor) =>
      fusedGroupConv2d<tf.Tensor4D>({ x: xt as tf.Tensor4D, filter: wt as tf.Tensor4D, bias: b as tf.Tensor1D, pad: 'same', groups, activation: 'relu' });
    const info = await tf.profile(() => tf.grads(conv)([x, w]));
    const names = info.kernels.map((k) => k.name);
    expect(names).toEqual(expect.arrayContaining([GroupConv2D, GroupConv2DBackpropInput, GroupConv2DBackpropFilter]));
    expect(names).not.toContain('Conv2D');
    tf.dispose([x, w, b, ...(info.result as tf.Tensor[])]);
  });

  // The shared forward cases reach webgl's packed program (even channels per group) only with
  // stride 2; these cover stride 1 (where both output columns can share an input texel), odd
  // and even first columns, dilation, odd output widths, batch > 1, bias and ReLU.
  const packedCases: ConvCase[] = [
    { name: 'stride 1 same, odd width, batch 2', xShape: [2, 5, 7, 8], filterShape: [3, 3, 4, 4], groups: 2, strides: [1, 1], pad: 'same', dilations: [1, 1] },
    { name: 'stride 1 explicit, dilation (1,2)', xShape: [1, 6, 9, 12], filterShape: [3, 3, 4, 6], groups: 3, strides: [1, 1], pad: [[0, 0], [1, 0], [2, 1], [0, 0]], dilations: [1, 2] },
    { name: 'stride 2 explicit odd left pad', xShape: [1, 9, 10, 8], filterShape: [3, 3, 4, 4], groups: 2, strides: [2, 2], pad: [[0, 0], [0, 1], [1, 2], [0, 0]], dilations: [1, 1] },
    { name: '2x5 filter, stride (1,3) valid', xShape: [1, 7, 11, 4], filterShape: [2, 5, 2, 4], groups: 2, strides: [1, 3], pad: 'valid', dilations: [1, 1] },
    { name: '1x1, 4 groups of 2', xShape: [1, 4, 5, 8], filterShape: [1, 1, 2, 8], groups: 4, strides: [1, 1], pad: 'valid', dilations: [1, 1] },
  ];
  it.each(packedCases.map((c) => [c.name, c] as const))('forward with bias and ReLU: %s', async (_, c) => {
    expect(await tf.setBackend(backend)).toBe(true);
    const x = randomArray(size(c.xShape), 51);
    const w = randomArray(size(c.filterShape), 52);
    const bias = randomArray(c.filterShape[3], 53);
    const co = c.filterShape[3];
    const plain = naiveGroupConv(x, w, c);
    const y = tf.tidy(() => {
      const args = { x: tf.tensor4d(Float32Array.from(x), c.xShape), filter: tf.tensor4d(Float32Array.from(w), c.filterShape), strides: c.strides, pad: c.pad, groups: c.groups, dilations: c.dilations };
      return [fusedGroupConv2d<tf.Tensor4D>(args), fusedGroupConv2d<tf.Tensor4D>({ ...args, bias: tf.tensor1d(Float32Array.from(bias)), activation: 'relu' })];
    });
    expect(y[0]!.shape).toEqual(plain.shape);
    expect(relativeError(await y[0]!.data(), plain.y)).toBeLessThan(1e-5);
    expect(relativeError(await y[1]!.data(), plain.y.map((v, i) => Math.max(0, v + bias[i % co]!)))).toBeLessThan(1e-5);
    tf.dispose(y);
  });

  // The shared gradient cases all have channels per group that are not multiples of 4, so
  // they never reach the vectorised backward shaders; these do.
  const vec4Cases: ConvCase[] = [
    { name: '4 groups of 4 in, 4 out, stride 2, batch 2', xShape: [2, 7, 7, 16], filterShape: [3, 3, 4, 16], groups: 4, strides: [2, 2], pad: 'same', dilations: [1, 1] },
    { name: '2 groups of 8 in, 4 out, dilation 2, explicit', xShape: [1, 8, 7, 16], filterShape: [3, 3, 8, 8], groups: 2, strides: [1, 1], pad: [[0, 0], [2, 1], [1, 2], [0, 0]], dilations: [2, 2] },
  ];
  it.each(vec4Cases.map((c) => [c.name, c] as const))('vec4 gradients vs finite differences: %s', async (_, c) => {
    expect(await tf.setBackend(backend)).toBe(true);
    const x = randomArray(size(c.xShape), 41);
    const w = randomArray(size(c.filterShape), 42);
    const shape = naiveGroupConv(x, w, c).shape;
    const r = randomArray(size(shape), 43);
    // L = Σ r·y is linear in x and in w, so central differences are exact up to rounding.
    const loss = (xv: Float64Array, wv: Float64Array) => naiveGroupConv(xv, wv, c).y.reduce((s, v, i) => s + v * r[i]!, 0);
    const [dx, dw] = tf.tidy(() =>
      tf.grads((xt: tf.Tensor, wt: tf.Tensor) => groupConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, c.strides, c.pad, c.groups, c.dilations))(
        [tf.tensor4d(Float32Array.from(x), c.xShape), tf.tensor4d(Float32Array.from(w), c.filterShape)],
        tf.tensor(Float32Array.from(r), shape),
      ),
    ) as [tf.Tensor, tf.Tensor];
    expect(relativeError(await dx.data(), finiteDifferences(loss, x, w, 'x'))).toBeLessThan(1e-4);
    expect(relativeError(await dw.data(), finiteDifferences(loss, x, w, 'w'))).toBeLessThan(1e-4);
    tf.dispose([dx, dw]);
  });
});
