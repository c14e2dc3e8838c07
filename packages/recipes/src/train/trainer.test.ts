// The trainer end to end in-process (real loader, tiny ResNeXt, wasm 1 thread): run directory,
// seed reproducibility, and exact resume after a crash mid-epoch. The SIGKILL variant across
// processes is in kill_resume.test.ts.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

import { loadCheckpoint } from '../checkpoint/checkpoint.js';
import type { ImageSource } from '../data/source.js';
import { train } from './trainer.js';

function source(n: number, offset: number): ImageSource {
  return {
    name: 'stripes', size: n, numClasses: 2, classNames: ['h', 'v'], shape: [8, 8, 1],
    read(i: number) {
      const label = (i + offset) % 2;
      const pixels = new Uint8Array(64).map((_, k) => ((label === 0 ? Math.floor(k / 8) : k % 8) % 2 === 0 ? 220 : 30) + ((i * 13 + k) % 17));
      return Promise.resolve({ pixels, height: 8, width: 8, channels: 1, label });
    },
  };
}

const recipe = {
  name: 'stub', description: 'stub',
  model: { name: 'tiny', config: { name: 'tiny', block: 'bottleneck' as const, blocksPerStage: [1], cardinality: 2, baseWidth: 32, stagePlanes: [4], expansion: 2, stem: 'cifar' as const, stemWidth: 8, defaultInputSize: 8, origin: 'test' }, inputShape: [8, 8, 1] as [number, number, number], numClasses: 2 },
  dataset: { kind: 'cifar10' as const },
  trainTransform: [], evalTransform: [], batchSize: 8, epochs: 2,
  optimizer: { kind: 'sgd' as const, lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4, noDecayOnBnAndBias: true },
  schedule: { kind: 'cosine' as const, warmupEpochs: 1 }, labelSmoothing: 0.1, mixup: 0, cutmix: 0, ema: { decay: 0.9 }, gradAccumulation: 2,
  seed: 3, backend: { name: 'wasm' as const, threads: 1 }, checkpointEverySteps: 1, finetune: null,
};

describe('trainer', () => {
  it('runs, writes the run directory, and is reproducible from the seed; resume from a mid-epoch checkpoint ends identically', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'recipes-stub-'));
    const sink = { write: () => true };
    const a = await train(recipe, { out: path.join(dir, 'a'), progress: sink, sources: { train: source(32, 0), test: source(16, 1) } });
    const files = await fs.readdir(path.join(dir, 'a'));
    expect(files.sort()).toEqual(['checkpoints', 'config.json', 'metrics.csv', 'metrics.jsonl', 'model.safetensors', 'model_ema.safetensors', 'plot.svg']);
    expect(a.history).toHaveLength(2);
    const b = await train(recipe, { out: path.join(dir, 'b'), progress: sink, sources: { train: source(32, 0), test: source(16, 1) } });
    expect(b.history.map((m) => [m.trainLoss, m.testLoss, m.emaTestLoss])).toEqual(a.history.map((m) => [m.trainLoss, m.testLoss, m.emaTestLoss]));
    // A crash mid-epoch: the progress sink throws on epoch 2's third step; the last checkpoint is
    // at epoch 2, loader step 2 (one optimizer step of two micro-batches in).
    const crashing = { write: (t: string) => { if (t.startsWith('epoch 2/2 step 3/')) throw new Error('killed'); return true; } };
    const out = path.join(dir, 'c');
    await expect(train(recipe, { out, progress: crashing, sources: { train: source(32, 0), test: source(16, 1) } })).rejects.toThrow('killed');
    const ck = await loadCheckpoint(path.join(out, 'checkpoints', 'last.safetensors'));
    expect([ck.state.epoch, ck.state.loaderStep]).toEqual([1, 2]);
    const c = await train(recipe, { out, resume: true, progress: sink, sources: { train: source(32, 0), test: source(16, 1) } });
    expect(c.history.map((m) => [m.trainLoss, m.trainAccuracy, m.testLoss, m.emaTestLoss])).toEqual(a.history.map((m) => [m.trainLoss, m.trainAccuracy, m.testLoss, m.emaTestLoss]));
    expect((await fs.readFile(path.join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(2);
  }, 120_000);
});
