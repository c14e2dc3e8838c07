// Our kernels' relaxed-SIMD (FMA) build in Node 20, where V8 accepts relaxed SIMD only behind
// --experimental-wasm-relaxed-simd, set here at run time as @resnext/backends' `relaxedSimd`
// option does (after this package compiled its modules at import: the lazy path). Vitest runs each
// test file in its own process, so the flag stays out of the other files. With this build the
// wasm backend's 1x1 convolutions run on our kernel: the whole shared spec runs again against the
// float64 references, plus the routing rules.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { fusedGroupConv2d } from '../../ops/group_conv2d.js';
import { groupConv2dSpec } from '../../testing/group_conv2d_spec.js';
import { GroupConv2DResidual } from '../kernel_names.js';
import '../register_all.js';
import { NATIVE_KERNELS_FLAG } from './flags.js';
import { kernelInstance } from './kernel_module.js';
import { pointwiseConv } from './pointwise_routing.js';
import type { WasmBackend } from './wasm_backend.js';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
// The routing rules of the wasm kernels: the native kernels, which take every unpadded 1x1
// convolution where they load, are tested in native_pointwise.test.ts.
tf.env().set(NATIVE_KERNELS_FLAG, false);

describe('relaxed SIMD build on wasm', () => {
  it('is the build our kernels run once the runtime accepts relaxed SIMD', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(kernelInstance(tf.backend() as WasmBackend).relaxed).toBe(true);
  });

  it('takes over exactly the 1x1 NHWC convolutions with at most bias and ReLU and >= 128 input channels', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const be = tf.backend() as WasmBackend;
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.ones([1, 4, 4, 128]);
      const narrow = tf.ones([1, 4, 4, 64]);
      const w1 = tf.ones([1, 1, 128, 4]);
      const w3 = tf.ones([3, 3, 128, 4]);
      const bias = tf.ones([4]);
      const attrs = { strides: 1, pad: 'valid' as const };
      const taken = [
        pointwiseConv(be, { x, filter: w1 }, attrs),
        pointwiseConv(be, { x, filter: w1, bias }, { ...attrs, strides: [2, 2], activation: 'relu', dataFormat: 'NHWC', dilations: [1, 1] }),
      ];
      taken.forEach((info, i) => {
        expect(info).toBeDefined();
        if (info === undefined) return;
        const y = tf.engine().makeTensorFromTensorInfo(info);
        // Σ of 128 ones, + 1 with the bias.
        expect(y.shape).toEqual(i === 0 ? [1, 4, 4, 4] : [1, 2, 2, 4]);
        expect(new Set(y.dataSync())).toEqual(new Set([i === 0 ? 128 : 129]));
      });
      expect(pointwiseConv(be, { x, filter: w3 }, attrs)).toBeUndefined();
      expect(pointwiseConv(be, { x: narrow, filter: tf.ones([1, 1, 64, 4]) }, attrs)).toBeUndefined();
      expect(pointwiseConv(be, { x, filter: w1 }, { ...attrs, dilations: 2 })).toBeUndefined();
      expect(pointwiseConv(be, { x, filter: w1 }, { ...attrs, dataFormat: 'NCHW' })).toBeUndefined();
      expect(pointwiseConv(be, { x, filter: w1 }, { ...attrs, activation: 'leakyrelu' })).toBeUndefined();
      expect(pointwiseConv(be, { x, filter: w1, preluActivationWeights: bias }, { ...attrs, activation: 'prelu' })).toBeUndefined();
      expect(pointwiseConv(be, { x, filter: w1, bias: tf.ones([1]) }, attrs)).toBeUndefined();
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fuses a residual into exactly the 1x1 convolutions it takes over', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const kernelsOf = async (inChannels: number) => {
      const x = tf.ones<tf.Rank.R4>([1, 4, 4, inChannels]);
      const filter = tf.ones<tf.Rank.R4>([1, 1, inChannels, 8]);
      const bias = tf.ones<tf.Rank.R1>([8]);
      const residual = tf.fill<tf.Rank.R4>([1, 4, 4, 8], -1);
      const info = await tf.profile(() => fusedGroupConv2d({ x, filter, bias, pad: 'valid', groups: 1, residual, activation: 'relu' }));
      // Σ of the input channels' ones, + 1 bias, - 1 residual.
      expect(new Set(await (info.result as tf.Tensor).data())).toEqual(new Set([inChannels]));
      tf.dispose([x, filter, bias, residual, info.result]);
      return info.kernels.map((k) => k.name);
    };
    expect(await kernelsOf(128)).toEqual([GroupConv2DResidual]);
    expect(await kernelsOf(64)).not.toContain(GroupConv2DResidual);
  });
});

groupConv2dSpec('wasm');
