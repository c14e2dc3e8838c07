// A Web Worker for the kernel-pool browser test: starts wasm with 2 threads through useBackend and
// reports, call after call, whether tfjs' 1×1 convolutions run on our kernel (which they do only
// once our kernel pool has the backend's threads) by comparing bits with our kernel called by name.
import * as tf from '@tensorflow/tfjs-core';
import { GroupConv2DKernelName, type GroupConv2DAttrs } from '@resnext/layers';
import { useBackend } from '../use_backend.js';
import { browserImporter } from './browser_importer.js';

const seeded = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
const inputs = () => ({ x: seeded([1, 14, 14, 256], 1) as tf.Tensor4D, filter: seeded([1, 1, 256, 64], 2) as tf.Tensor4D, bias: seeded([64], 3) as tf.Tensor1D });

function routed(): Float32Array {
  return tf.tidy(() => tf.fused.conv2d({ ...inputs(), strides: 1, pad: 'valid', activation: 'relu' }).dataSync() as Float32Array);
}

function ours(): Float32Array {
  const attrs: GroupConv2DAttrs = { strides: [1, 1], pad: 'valid', dilations: [1, 1], groups: 1, activation: 'relu' };
  return tf.tidy(() => {
    const { x, filter, bias } = inputs();
    return tf.engine().runKernel<tf.Tensor4D>(GroupConv2DKernelName, { x, filter, bias }, attrs as unknown as tf.NamedAttrMap).dataSync() as Float32Array;
  });
}

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

self.onmessage = async () => {
  try {
    const info = await useBackend('wasm', { threads: 2, importer: browserImporter });
    const calls: boolean[] = [];
    // Our pool's nested workers start while this worker yields between calls.
    for (let i = 0; i < 40 && !calls.includes(true); i++) {
      calls.push(same(routed(), ours()));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const firstOurs = calls.indexOf(true);
    const stable = Array.from({ length: 5 }, () => same(routed(), ours()));
    const relaxed = WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    self.postMessage({ threads: info.threads, firstOurs, stable, calls: calls.length, relaxed });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
