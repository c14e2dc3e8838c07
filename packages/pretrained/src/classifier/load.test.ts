import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '@resnext/models';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../formats/safetensors.js';
import { preprocess } from '../preprocess/preprocess.js';
import { TINY, TINY_RECORD, fixturePath } from '../testing/tiny_resnext_fixture.js';
import type { ResNeXtClassifier } from './classifier.js';
import { load, loadWeights } from './load.js';

const LABELS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const io = readSafetensors(readFileSync(fixturePath('torchvision/tiny_resnext.io.safetensors'))).tensors;

describe.each(['cpu', 'wasm'])('load() on %s', (backend) => {
  let classifier: ResNeXtClassifier;
  beforeAll(async () => {
    await tf.setBackend(backend);
    classifier = await load({ record: TINY_RECORD, config: TINY, weights: fixturePath('torchvision/tiny_resnext.pth'), labels: LABELS });
  });
  afterAll(() => classifier.dispose());

  it('gives torchvision logits (BatchNorm folded) within 1e-5 relative', async () => {
    const input = io.get('input_0')!;
    const logits = io.get('logits_0')!.values;
    const y = tf.tidy(() => classifier.infer(tf.transpose(tf.tensor4d(input.values as Float32Array, input.shape as [number, number, number, number]), [0, 2, 3, 1])));
    const ours = await y.data();
    y.dispose();
    let d = 0;
    let m = 0;
    logits.forEach((v, i) => {
      d = Math.max(d, Math.abs(ours[i]! - v));
      m = Math.max(m, Math.abs(v));
    });
    expect(d / m).toBeLessThan(1e-5);
    expect(classifier.model.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
  });

  it('classifies a photo: top-k sorted, labelled, equal to softmax of infer(preprocess(image))', async () => {
    const image = fixturePath('images/chelsea.png');
    const top = await classifier.classify(image, 3);
    const x = await preprocess(image, TINY_RECORD.preprocessing);
    const probs = tf.tidy(() => tf.softmax(classifier.infer(x)));
    const p = await probs.data();
    tf.dispose([x, probs]);
    const best = Array.from(p).map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 3);
    expect(top.map((t) => t.index)).toEqual(best.map(([, i]) => i));
    expect(top.map((t) => t.label)).toEqual(best.map(([, i]) => LABELS[i]));
    top.forEach((t, k) => expect(t.probability).toBeCloseTo(best[k]![0], 6));
    await expect(classifier.classify(image, 0)).rejects.toThrow(/topk must be a positive integer/);
  });

  it('does not leak tensors over 1,000 classify calls', async () => {
    const image = tf.randomUniform<tf.Rank.R3>([64, 64, 3], 0, 255, 'int32', 9);
    await classifier.classify(image, 5);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) await classifier.classify(image, 5);
    expect(tf.memory().numTensors).toBe(before);
    image.dispose();
  }, 120_000);
});

describe('loadWeights', () => {
  it('loads .safetensors bytes into a user model, strictly', async () => {
    await tf.setBackend('cpu');
    const model = createModel(TINY, { numClasses: 10, inputShape: [null, null, 3] });
    const result = await loadWeights(model, readFileSync(fixturePath('torchvision/tiny_resnext.safetensors')));
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
    const wrong = createModel({ ...TINY, cardinality: 2 }, { numClasses: 10, inputShape: [null, null, 3] });
    await expect(loadWeights(wrong, fixturePath('torchvision/tiny_resnext.pth'))).rejects.toThrow(/tiny_resnext\.pth does not fit the model/);
    model.dispose();
    wrong.dispose();
  });
});
