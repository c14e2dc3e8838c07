import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { smoothedCrossEntropy } from './loss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** −Σ_k t'_k · log softmax(z)_k with t' = (1 − ε)t + ε/K, written out with plain loops. */
function naive(logits: number[][], targets: number[][], eps: number): number[] {
  return logits.map((z, i) => {
    const max = Math.max(...z);
    const logSum = Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
    return -z.reduce((s, v, k) => s + ((1 - eps) * targets[i]![k]! + eps / z.length) * (v - logSum), 0);
  });
}

describe('smoothedCrossEntropy', () => {
  const logits = [
    [2.0, -1.0, 0.5, 0.0],
    [-0.3, 0.8, 3.1, -2.2],
    [10, 0, 0, -10],
  ];
  const oneHot = [
    [1, 0, 0, 0],
    [0, 0, 0, 1],
    [0, 1, 0, 0],
  ];
  const mixed = [
    [0.7, 0.3, 0, 0],
    [0, 0, 0.4, 0.6],
    [0.5, 0.5, 0, 0],
  ];
  for (const eps of [0, 0.1, 0.3]) {
    for (const [name, t] of [['one-hot', oneHot], ['mixed', mixed]] as const) {
      it(`matches the naive formula, ε = ${eps}, ${name} targets`, () => {
        const got = smoothedCrossEntropy(tf.tensor2d(logits), tf.tensor2d(t), eps).arraySync();
        naive(logits, t, eps).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
      });
    }
  }

  it('equals PyTorch CrossEntropyLoss(label_smoothing=0.1) on a hand-checked case', () => {
    // torch.nn.functional.cross_entropy(torch.tensor([[1., 2., 3.]]), torch.tensor([2]), label_smoothing=0.1) = 0.5076 (Debian python3-torch 1.13)
    const got = smoothedCrossEntropy(tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[0, 0, 1]]), 0.1).arraySync();
    expect(got[0]).toBeCloseTo(0.5076, 4);
  });
});
