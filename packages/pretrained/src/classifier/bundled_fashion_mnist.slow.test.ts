// The Fashion-MNIST weights shipped inside the package: they load with no network (bundled:
// source, sha256-checked), classify real Fashion-MNIST test images (Debian's dataset-fashion-mnist)
// with the accuracy their record states, and a corrupted or mislabelled file is refused.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import '@resnext/layers';
import { readBundledWeights } from '../download/bundled.js';
import { IntegrityError } from '../download/errors.js';
import { fetchWeightsToPath } from '../download/fetch_weights.js';
import { normalizeInterleavedToFloat32 } from '../preprocess/normalize.js';
import { FASHION_MNIST_WEIGHTS } from '../registry/fashion_mnist_records.js';
import { getWeights } from '../registry/weights_registry.js';
import { load } from './load.js';

const DIR = '/usr/share/datasets/fashion-mnist';
const idx = (name: string) => gunzipSync(readFileSync(`${DIR}/${name}.gz`));
const N = 10_000;

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('bundled Fashion-MNIST weights', () => {
  const record = getWeights('resnext_fmnist');

  it('are the default for resnext_fmnist and read from the package, verified', async () => {
    expect(record.id).toBe('resnext_fmnist.full_fmnist');
    const source = record.sources[0]!;
    const bytes = await readBundledWeights(source);
    expect(bytes.length).toBe(source.bytes);
    const { path, fromCache } = await fetchWeightsToPath(record, { offline: true });
    expect(fromCache).toBe(true);
    expect(path).toMatch(/packages\/pretrained\/weights\/resnext_fmnist\.full_fmnist\.safetensors$/);
  });

  it('refuse a file that does not match the record', async () => {
    const source = record.sources[0]!;
    const wrong = { ...source, sha256: '0'.repeat(64) };
    await expect(readBundledWeights(wrong)).rejects.toThrow(IntegrityError);
    await expect(readBundledWeights(wrong)).rejects.toThrow(/shipped in @resnext\/pretrained is corrupted: sha256 expected 0{64}/);
    await expect(readBundledWeights({ ...source, url: 'bundled:../../package.json' })).rejects.toThrow(/plain file name/);
  });

  it.each(FASHION_MNIST_WEIGHTS.map((r) => [r.id, r] as const))('%s: classifies the 10,000 test images offline with the accuracy its record states', async (id, record) => {
    const images = idx('t10k-images-idx3-ubyte').subarray(16, 16 + N * 784);
    const labels = idx('t10k-labels-idx1-ubyte').subarray(8, 8 + N);
    const classifier = await load({ model: id, offline: true });
    expect(classifier.meta.id).toBe(id);
    expect(classifier.labels[9]).toBe('Ankle boot');
    const { mean, std } = classifier.meta.preprocessing;
    const pixels = normalizeInterleavedToFloat32(images, mean, std);
    const before = tf.memory().numTensors;
    let hits = 0;
    for (let start = 0; start < N; start += 1000) {
      const predicted = tf.tidy(() => tf.argMax(classifier.infer(tf.tensor4d(pixels.subarray(start * 784, (start + 1000) * 784), [1000, 28, 28, 1])), 1));
      const p = await predicted.data();
      predicted.dispose();
      for (let i = 0; i < 1000; i++) if (p[i] === labels[start + i]) hits++;
    }
    expect(tf.memory().numTensors).toBe(before);
    // The trainer measured the same network with BatchNorm unfolded; folding may move a borderline image or two.
    expect(Math.abs((hits / N) * 100 - record.metrics.top1)).toBeLessThanOrEqual(0.05);
    // classify() on one 28×28 gray image (the first test image, an ankle boot).
    const first = await classifier.classify({ data: images.subarray(0, 784), width: 28, height: 28 }, 3);
    expect(first[0]!.label).toBe('Ankle boot');
    classifier.dispose();
  }, 180_000);
});
