// Which kernel runs tfjs' 1×1 convolutions on wasm with relaxed SIMD: ours (FMA) where our kernels
// run on as many threads as XNNPACK, XNNPACK's where they cannot (where our kernel pool cannot
// start, or until it is up, our kernels run on one thread while tfjs' use them all). The two are
// told apart by their bits: ours fuses multiply and add (one rounding), XNNPACK's does not.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relativeError } from '@resnext/test-support';
import { ourPointwise, routedPointwise, seeded } from '../testing/pointwise_pair.js';
import { useBackend } from '../use_backend.js';

/** A 1×1 convolution with 256 input channels (≥ 128: one our kernel takes), bias and ReLU. */
function inputs(): { x: tf.Tensor4D; filter: tf.Tensor4D; bias: tf.Tensor1D } {
  return { x: seeded([1, 7, 9, 256], 1) as tf.Tensor4D, filter: seeded([1, 1, 256, 48], 2) as tf.Tensor4D, bias: seeded([48], 3) as tf.Tensor1D };
}

const routed = () => routedPointwise(inputs);
const ours = () => ourPointwise(inputs);

describe('1×1 convolutions on wasm with relaxed SIMD', () => {
  // The wasm kernels' routing: @resnext/layers' native kernels (Linux x64), which take every
  // unpadded 1×1 convolution where they load, are off here (their own tests are in that package).
  beforeAll(() => tf.env().set('RESNEXT_NATIVE_KERNELS', false));
  afterAll(() => {
    tf.env().set('RESNEXT_NATIVE_KERNELS', true);
    tf.env().set('IS_NODE', true);
    tf.removeBackend('wasm'); // its worker threads would keep the process alive
  });

  it('run on our kernel where our kernels have the backend\'s threads (Node, 2 threads)', async () => {
    await useBackend('wasm', { threads: 2, relaxedSimd: true });
    expect(routed()).toEqual(ours());
  });

  it('stay on XNNPACK when our kernels cannot have the backend\'s threads', async () => {
    await useBackend('wasm', { threads: 1, relaxedSimd: true });
    // A new 2-thread backend whose kernel pool cannot start: without IS_NODE our layers see no
    // worker_threads (and, in Node, no page or Web Worker either). Its pool is made at its first
    // kernel call, below.
    await useBackend('wasm', { threads: 2, relaxedSimd: true });
    tf.env().set('IS_NODE', false);
    const xnnpack = routed();
    const fma = ours();
    tf.env().set('IS_NODE', true);
    expect(xnnpack).not.toEqual(fma); // different roundings: not our kernel
    expect(relativeError(xnnpack, fma)).toBeLessThan(1e-5); // but the same convolution
  });
});
