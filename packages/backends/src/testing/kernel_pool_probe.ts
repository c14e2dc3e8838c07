// Whether tfjs' 1×1 convolutions run on our kernel, call after call, on whatever thread this runs
// (a page's main thread or a Web Worker): they do only once our kernel pool has the backend's
// threads. Compares output bits with our kernel called by name.
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../use_backend.js';
import { browserImporter } from './browser_importer.js';
import { ourPointwise, routedPointwise, seeded } from './pointwise_pair.js';

/** What the probe saw: calls until the 1×1 convolution ran on our kernel, then five more calls. */
export interface KernelPoolReport {
  threads?: number;
  firstOurs: number;
  stable: boolean[];
  calls: number;
  tensorsLeaked: number;
  error?: string;
}

const inputs = () => ({ x: seeded([1, 14, 14, 256], 1) as tf.Tensor4D, filter: seeded([1, 1, 256, 64], 2) as tf.Tensor4D, bias: seeded([64], 3) as tf.Tensor1D });
const routed = () => routedPointwise(inputs);
const ours = () => ourPointwise(inputs);

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/**
 * Starts wasm with 2 threads and watches the 1×1 convolution move to our kernel as the pool comes
 * up. `progress` hears where the probe is (so a caller waiting on a worker can say where it
 * stopped, should it never answer).
 */
export async function probeKernelPool(progress: (phase: string) => void = () => {}): Promise<KernelPoolReport> {
  progress('starting the wasm backend with 2 threads');
  const info = await useBackend('wasm', { threads: 2, importer: browserImporter });
  const before = tf.memory().numTensors;
  const calls: boolean[] = [];
  // Our pool's nested workers start while this thread yields between calls.
  for (let i = 0; i < 40 && !calls.includes(true); i++) {
    progress(`1×1 convolution call ${i + 1}`);
    calls.push(same(routed(), ours()));
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  progress('five calls on the pool');
  const firstOurs = calls.indexOf(true);
  const stable = Array.from({ length: 5 }, () => same(routed(), ours()));
  return { threads: info.threads, firstOurs, stable, calls: calls.length, tensorsLeaked: tf.memory().numTensors - before };
}
