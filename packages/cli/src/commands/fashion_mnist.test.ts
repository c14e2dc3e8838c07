// `resnext fashion-mnist`: the offline main job on the real Debian Fashion-MNIST test set with the
// weights shipped in @resnext/pretrained.
import { describe, expect, it } from 'vitest';
import { UsageError, run } from '../main.js';
import { parseFashionMnistArgs } from './fashion_mnist.js';

describe('resnext fashion-mnist', () => {
  it('classifies test images with the shipped weights and reports accuracy and predictions', async () => {
    const report = JSON.parse(await run(['fashion-mnist', '--limit', '1000', '--show', '3', '--json', '--backend', 'wasm'])) as {
      model: string;
      images: number;
      correct: number;
      accuracy: number;
      predictions: { index: number; label: string; predicted: string }[];
    };
    expect(report.model).toBe('resnext_fmnist.full_fmnist');
    expect(report.images).toBe(1000);
    expect(report.accuracy).toBe(report.correct / 1000);
    // The weights measure 92.34 % on all 10,000 images; 1,000 images vary by about a point.
    expect(report.accuracy).toBeGreaterThan(0.88);
    expect(report.predictions.map((p) => [p.index, p.label])).toEqual([
      [0, 'Ankle boot'],
      [1, 'Pullover'],
      [2, 'Trouser'],
    ]);
    const text = await run(['fashion-mnist', '--limit', '200', '--show', '2', '--backend', 'wasm']);
    expect(text).toMatch(/top-1 accuracy \d+\.\d\d% \(\d+ correct\)/);
    expect(text.split('\n').filter((l) => l.includes('→'))).toHaveLength(2);
  }, 60_000);

  it('rejects bad options with usage', async () => {
    expect(() => parseFashionMnistArgs(['--limit', '0'])).toThrow(/--limit must be a positive integer, got '0'/);
    await expect(run(['fashion-mnist', '--batch-size', 'x'])).rejects.toThrow(UsageError);
  });
});
