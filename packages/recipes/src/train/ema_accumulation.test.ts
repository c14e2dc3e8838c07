import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../data/loader.js';
import { namedWeights, paramGroups } from '../optim/params.js';
import { WeightEma } from './ema.js';
import { GradientAccumulator, microBatchGradients } from './train_step.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A model without BatchNorm (BN's batch statistics differ between batch sizes by design). */
function denseModel(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [tfl.layers.flatten({ inputShape: [2, 2, 1] }), tfl.layers.dense({ units: 5, activation: 'relu', name: 'hidden' }), tfl.layers.dense({ units: 3, name: 'fc' })],
  });
  return m;
}

function batchOf(x: number[], labels: number[], numClasses: number, step: number): Batch {
  const n = labels.length;
  const targets = new Float32Array(n * numClasses);
  labels.forEach((l, i) => (targets[i * numClasses + l] = 1));
  return { x: Float32Array.from(x), shape: [n, 2, 2, 1], labels: Int32Array.from(labels), targets, step };
}

describe('gradient accumulation', () => {
  it('k micro-batches of n give the gradients of one batch of k·n', async () => {
    const model = denseModel();
    const params = paramGroups(namedWeights(model), { noDecayOnBnAndBias: true });
    const x = Array.from({ length: 12 * 4 }, (_, i) => Math.sin(i * 1.7));
    const labels = Array.from({ length: 12 }, (_, i) => (i * 7) % 3);
    const whole = await microBatchGradients(model, params, batchOf(x, labels, 3, 0), 3, 0.1);
    const single = new GradientAccumulator();
    single.add(whole.grads, 12);
    const expected = single.take();
    const acc = new GradientAccumulator();
    let lossSum = 0;
    for (let k = 0; k < 3; k++) {
      const r = await microBatchGradients(model, params, batchOf(x.slice(16 * k, 16 * (k + 1)), labels.slice(4 * k, 4 * (k + 1)), 3, k), 3, 0.1);
      acc.add(r.grads, 4);
      lossSum += r.lossSum;
    }
    expect(acc.microBatches).toBe(3);
    const got = acc.take();
    expect(lossSum).toBeCloseTo(whole.lossSum, 4);
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, g] of got) {
      const want = expected.get(name)!.dataSync();
      g.dataSync().forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    }
    tf.dispose([...got.values(), ...expected.values()]);
    model.dispose();
  });
});

describe('WeightEma', () => {
  it('follows shadow ← d·shadow + (1 − d)·w and swaps the averages in and back out', async () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const ema = new WeightEma([{ name: 'l/kernel', layer: 'l', variable: v, trainable: true }], 0.9);
    let shadow = [1, 2];
    for (const next of [[3, 0], [5, -2], [-1, 4]]) {
      v.assign(tf.tensor1d(next));
      ema.update();
      shadow = shadow.map((s, i) => 0.9 * s + 0.1 * next[i]!);
    }
    ema.shadow.get('l/kernel')!.dataSync().forEach((s, i) => expect(s).toBeCloseTo(shadow[i]!, 5));
    const inside = await ema.withAveragedWeights(() => Promise.resolve(Array.from(v.dataSync())));
    inside.forEach((s, i) => expect(s).toBeCloseTo(shadow[i]!, 5));
    expect(Array.from(v.dataSync())).toEqual([-1, 4]);
    ema.dispose();
    v.dispose();
  });
});
