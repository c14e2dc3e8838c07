// The tfjs flags that switch our changes to tfjs-backend-wasm's own kernels: with each off, the
// kernel tfjs registered runs (the very config object, not a wrapper), so unrelated models in the
// app run exactly as in plain tfjs; switched on again, ours is back.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { Conv2D, Conv2DBackpropFilter, FusedConv2D, Identity, getKernel } from '@tensorflow/tfjs-core';
import { TrainingBatchNormalization, WASM_BACKPROP_FILTER_FLAG, WASM_POINTWISE_FLAG, WASM_SHARED_IDENTITY_FLAG } from '@resnext/layers';
import { afterAll, describe, expect, it } from 'vitest';
import { relativeError } from '@resnext/test-support';
import { ourPointwise, routedPointwise, seeded } from '../testing/pointwise_pair.js';
import { useBackend } from '../use_backend.js';

// tfjs-backend-wasm registered these when imported; we change them only once the backend is active.
const tfjsConv2D = getKernel(Conv2D, 'wasm');
const tfjsFusedConv2D = getKernel(FusedConv2D, 'wasm');
const tfjsIdentity = getKernel(Identity, 'wasm');

/** A 1×1 convolution with 256 input channels (one our FMA kernel takes), bias and ReLU. */
const inputs = () => ({ x: seeded([1, 5, 7, 256], 1) as tf.Tensor4D, filter: seeded([1, 1, 256, 32], 2) as tf.Tensor4D, bias: seeded([32], 3) as tf.Tensor1D });

/** dL/dfilter of a 3×3 convolution, on the active backend. */
function conv2dFilterGradient(): Float32Array {
  return tf.tidy(() => {
    const x = seeded([2, 6, 6, 3], 4) as tf.Tensor4D;
    const dy = seeded([2, 6, 6, 5], 5);
    const grad = tf.grad((w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, 1, 'same'))(seeded([3, 3, 3, 5], 6), dy);
    return grad.dataSync() as Float32Array;
  });
}

describe('tfjs flags for our changes to tfjs-backend-wasm kernels', () => {
  afterAll(() => {
    for (const flag of [WASM_POINTWISE_FLAG, WASM_BACKPROP_FILTER_FLAG, WASM_SHARED_IDENTITY_FLAG]) tf.env().set(flag, true);
    tf.removeBackend('wasm'); // its worker threads would keep the process alive
  });

  it('are registered tfjs flags, on by default', () => {
    for (const flag of [WASM_POINTWISE_FLAG, WASM_BACKPROP_FILTER_FLAG, WASM_SHARED_IDENTITY_FLAG]) expect(tf.env().getBool(flag)).toBe(true);
  });

  it(`${WASM_POINTWISE_FLAG}: off puts tfjs' own Conv2D and FusedConv2D back (XNNPACK's rounding), on routes 1×1 convolutions to ours again`, async () => {
    await useBackend('wasm', { threads: 2, relaxedSimd: true });
    expect(getKernel(Conv2D, 'wasm')).not.toBe(tfjsConv2D);
    expect(routedPointwise(inputs)).toEqual(ourPointwise(inputs));

    tf.env().set(WASM_POINTWISE_FLAG, false);
    expect(getKernel(Conv2D, 'wasm')).toBe(tfjsConv2D);
    expect(getKernel(FusedConv2D, 'wasm')).toBe(tfjsFusedConv2D);
    const xnnpack = routedPointwise(inputs);
    expect(xnnpack).not.toEqual(ourPointwise(inputs)); // separate multiply and add: not our FMA kernel
    expect(relativeError(xnnpack, ourPointwise(inputs))).toBeLessThan(1e-5);
    // Activating the backend again (its setup wraps the kernels) keeps them tfjs' while off.
    await tf.setBackend('cpu');
    await tf.setBackend('wasm');
    expect(getKernel(Conv2D, 'wasm')).toBe(tfjsConv2D);

    tf.env().set(WASM_POINTWISE_FLAG, true);
    expect(getKernel(Conv2D, 'wasm')).not.toBe(tfjsConv2D);
    expect(routedPointwise(inputs)).toEqual(ourPointwise(inputs));
  });

  it(`${WASM_BACKPROP_FILTER_FLAG}: off leaves wasm without a Conv2DBackpropFilter, as tfjs ships it; on, conv2d trains and its filter gradient equals cpu's`, async () => {
    await useBackend('cpu');
    const expected = conv2dFilterGradient();
    await useBackend('wasm', { threads: 2 });
    expect(relativeError(conv2dFilterGradient(), expected)).toBeLessThan(1e-5);

    tf.env().set(WASM_BACKPROP_FILTER_FLAG, false);
    expect(getKernel(Conv2DBackpropFilter, 'wasm')).toBeUndefined();
    expect(() => conv2dFilterGradient()).toThrow(/'Conv2DBackpropFilter' not registered for backend 'wasm'/);

    tf.env().set(WASM_BACKPROP_FILTER_FLAG, true);
    expect(relativeError(conv2dFilterGradient(), expected)).toBeLessThan(1e-5);
  });

  it(`${WASM_SHARED_IDENTITY_FLAG}: off puts wasm's copying Identity back and keeps it through training layers; on, they share saved tensors again`, async () => {
    await useBackend('wasm', { threads: 1 });
    const bn = new TrainingBatchNormalization({});
    const x = seeded([2, 3, 3, 4], 7);
    const train = () => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(bn.apply(t, { training: true }) as tf.Tensor))(x));
    train();
    expect(getKernel(Identity, 'wasm')).not.toBe(tfjsIdentity);

    tf.env().set(WASM_SHARED_IDENTITY_FLAG, false);
    expect(getKernel(Identity, 'wasm')).toBe(tfjsIdentity);
    const copied = train();
    expect(getKernel(Identity, 'wasm')).toBe(tfjsIdentity);

    tf.env().set(WASM_SHARED_IDENTITY_FLAG, true);
    const shared = train();
    expect(getKernel(Identity, 'wasm')).not.toBe(tfjsIdentity);
    expect(shared.dataSync()).toEqual(copied.dataSync());
    tf.dispose([x, copied, shared]);
    bn.dispose();
  });
});
