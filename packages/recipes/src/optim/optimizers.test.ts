// SGD (Nesterov and plain) and AdamW against torch.optim 1.13: four steps on a fixed quadratic
// loss with a per-step learning rate, weight decay on the matrix only (the bias is rank 1 and is
// exempt through paramGroups). Expected numbers: tools/fixtures/make_recipes_optim_reference.py.
import '@tensorflow/tfjs-backend-cpu';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from './adamw.js';
import type { Optimizer } from './optimizer.js';
import { paramGroups, type NamedWeight } from './params.js';
import { Sgd } from './sgd.js';

interface Ref {
  w0: number[][]; b0: number[]; A: number[][]; C: number[][]; D: number[]; E: number[]; lrs: number[];
  sgd: { momentum: number; weightDecay: number; steps: { w: number[][]; b: number[] }[] };
  sgdPlain: { momentum: number; weightDecay: number; steps: { w: number[][]; b: number[] }[] };
  adamw: { betas: [number, number]; eps: number; weightDecay: number; steps: { w: number[][]; b: number[] }[] };
}
const ref = JSON.parse(fs.readFileSync(new URL('../../../../fixtures/recipes/optim_reference.json', import.meta.url), 'utf8')) as Ref;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function runSteps(optimizer: Optimizer) {
  const w = tf.variable(tf.tensor2d(ref.w0));
  const b = tf.variable(tf.tensor1d(ref.b0));
  const weights: NamedWeight[] = [
    { name: 'fc/kernel', layer: 'fc', variable: w, trainable: true },
    { name: 'fc/bias', layer: 'fc', variable: b, trainable: true },
  ];
  const params = paramGroups(weights, { noDecayOnBnAndBias: true });
  const out: { w: number[][]; b: number[] }[] = [];
  for (const lr of ref.lrs) {
    // d/dw [A·w²/2 + C·w] = A·w + C
    const grads = new Map<string, tf.Tensor>([
      ['fc/kernel', tf.add(tf.mul(tf.tensor2d(ref.A), w), tf.tensor2d(ref.C))],
      ['fc/bias', tf.add(tf.mul(tf.tensor1d(ref.D), b), tf.tensor1d(ref.E))],
    ]);
    optimizer.step(params, grads, lr);
    tf.dispose([...grads.values()]);
    out.push({ w: w.arraySync(), b: b.arraySync() });
  }
  tf.dispose([w, b]);
  return out;
}

function expectClose(got: { w: number[][]; b: number[] }[], want: { w: number[][]; b: number[] }[]) {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => {
    g.w.flat().forEach((v, j) => expect(v).toBeCloseTo(want[i]!.w.flat()[j]!, 5));
    g.b.forEach((v, j) => expect(v).toBeCloseTo(want[i]!.b[j]!, 5));
  });
}

describe('optimizers against torch.optim', () => {
  it('SGD Nesterov with weight decay off the bias matches torch.optim.SGD(nesterov=True)', () => {
    const sgd = new Sgd({ momentum: ref.sgd.momentum, nesterov: true, weightDecay: ref.sgd.weightDecay });
    expectClose(runSteps(sgd), ref.sgd.steps);
    sgd.dispose();
  });

  it('SGD with plain momentum matches torch.optim.SGD', () => {
    const sgd = new Sgd({ momentum: ref.sgdPlain.momentum, nesterov: false, weightDecay: ref.sgdPlain.weightDecay });
    expectClose(runSteps(sgd), ref.sgdPlain.steps);
    sgd.dispose();
  });

  it('AdamW with decoupled decay off the bias matches torch.optim.AdamW', () => {
    const adamw = new AdamW({ betas: ref.adamw.betas, eps: ref.adamw.eps, weightDecay: ref.adamw.weightDecay });
    expectClose(runSteps(adamw), ref.adamw.steps);
    adamw.dispose();
  });

  it('an optimizer restored from getState continues exactly like the original', () => {
    for (const make of [() => new Sgd({ momentum: 0.9, nesterov: true, weightDecay: 0.05 }), () => new AdamW({ betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0.1 })]) {
      const v = tf.variable(tf.tensor1d([1, -2, 3]));
      const w: NamedWeight[] = [{ name: 'x/kernel', layer: 'x', variable: v, trainable: true }];
      const params = paramGroups(w, { noDecayOnBnAndBias: false });
      const a = make();
      const grad = () => new Map([['x/kernel', tf.mul(v, 0.5)]]);
      const stepWith = (o: Optimizer) => {
        const g = grad();
        o.step(params, g, 0.1);
        tf.dispose([...g.values()]);
      };
      stepWith(a);
      stepWith(a);
      const state = a.getState();
      const saved = v.arraySync();
      stepWith(a);
      const expected = v.arraySync();
      v.assign(tf.tensor1d(saved));
      const b = make();
      b.setState(state);
      stepWith(b);
      expect(v.arraySync()).toEqual(expected);
      tf.dispose([...state.slots.values(), v]);
      a.dispose();
      b.dispose();
    }
  });

  it('does not leak tensors per step', () => {
    const sgd = new Sgd({ momentum: 0.9, nesterov: true, weightDecay: 0.01 });
    const v = tf.variable(tf.ones([4]));
    const params = paramGroups([{ name: 'l/kernel', layer: 'l', variable: v, trainable: true }], { noDecayOnBnAndBias: true });
    const step = () => {
      const g = new Map([['l/kernel', tf.onesLike(v)]]);
      sgd.step(params, g, 0.1);
      tf.dispose([...g.values()]);
    };
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    sgd.dispose();
    v.dispose();
  });
});
