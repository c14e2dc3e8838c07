// Whether tfjs' 1×1 convolutions run on our kernel, call after call, on whatever thread this runs
// (a page's main thread or a Web Worker): they do only once our kernel pool has the backend's
// threads. Compares output bits with our kernel called by name.
import * as tf from '@tensorflow/tfjs-core';
import { GroupConv2DKernelName, type GroupConv2DAttrs } from '@resnext/layers';
import { useBackend } from '../use_backend.js';
import { browserImporter } from './browser_importer.js';

/** What the probe saw: calls until the 1×1 convolution ran on our kernel, then five more calls. */
export interface KernelPoolReport {
  threads?: number;
  firstOurs: number;
  stable: boolean[];
  calls: number;
  tensorsLeaked: number;
  error?: string;
}

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

/** Starts wasm with 2 threads and watches the 1×1 convolution move to our kernel as the pool comes up. */
export async function probeKernelPool(): Promise<KernelPoolReport> {
  const info = await useBackend('wasm', { threads: 2, importer: browserImporter });
  const before = tf.memory().numTensors;
  const calls: boolean[] = [];
  // Our pool's nested workers start while this thread yields between calls.
  for (let i = 0; i < 40 && !calls.includes(true); i++) {
    calls.push(same(routed(), ours()));
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const firstOurs = calls.indexOf(true);
  const stable = Array.from({ length: 5 }, () => same(routed(), ours()));
  return { threads: info.threads, firstOurs, stable, calls: calls.length, tensorsLeaked: tf.memory().numTensors - before };
}
