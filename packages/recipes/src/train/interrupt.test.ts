// Stopping a run early (an AbortSignal, as the CLI's SIGINT/SIGTERM handler raises), the report
// of the epoch in progress, and resuming with more epochs. In-process, tiny ResNeXt, wasm 1 thread.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadCheckpoint } from '../checkpoint/checkpoint.js';
import type { RecipeConfig } from '../config/recipe_config.js';
import type { ImageSource } from '../data/source.js';
import type { EpochMetrics } from '../report/metrics.js';
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
const sources = () => ({ train: source(32, 0), test: source(16, 1) });

/** 32 images in batches of 8 as two micro-batches of 4: 8 loader steps, 4 optimizer steps an epoch. */
const recipe: RecipeConfig = {
  name: 'stub', description: 'stub',
  model: { name: 'tiny', config: { name: 'tiny', block: 'bottleneck', blocksPerStage: [1], cardinality: 2, baseWidth: 32, stagePlanes: [4], expansion: 2, stem: 'cifar', stemWidth: 8, defaultInputSize: 8, origin: 'test' }, inputShape: [8, 8, 1], numClasses: 2 },
  dataset: { kind: 'cifar10' },
  trainTransform: [], evalTransform: [], batchSize: 8, epochs: 2,
  optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4, noDecayOnBnAndBias: true },
  schedule: { kind: 'cosine', warmupEpochs: 1 }, labelSmoothing: 0.1, mixup: 0, cutmix: 0, ema: { decay: 0.9 }, gradAccumulation: 2,
  seed: 3, backend: { name: 'wasm', threads: 1 }, checkpointEverySteps: 1, finetune: null,
};
const quiet = { write: () => true };
const learned = (h: EpochMetrics[]) => h.map((m) => [m.trainLoss, m.trainAccuracy, m.testLoss, m.testAccuracy, m.emaTestLoss, m.lr]);

/** A progress sink that aborts when a line starts with `prefix`. */
function abortAt(prefix: string) {
  const controller = new AbortController();
  return { signal: controller.signal, progress: { write: (t: string) => (t.startsWith(prefix) && controller.abort(), true) } };
}

let dir = '';
let reference: EpochMetrics[] = [];
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'recipes-interrupt-'));
  reference = (await train(recipe, { out: path.join(dir, 'reference'), progress: quiet, sources: sources() })).history;
}, 120_000);
afterAll(async () => {
  if (dir !== '') await fs.rm(dir, { recursive: true, force: true });
});

describe('train() with a signal', () => {
  it('finishes the optimizer step in progress, writes a checkpoint and the epoch so far, and resumes to the same result', async () => {
    const out = path.join(dir, 'mid');
    // Loader step 3 is the first micro-batch of optimizer step 2: the run stops after step 4.
    const stop = abortAt('epoch 2/2 step 3/');
    const result = await train(recipe, { out, sources: sources(), ...stop });
    expect(result.interrupted).toEqual({ epoch: 1, step: 4, stepsPerEpoch: 8, checkpoint: path.join(out, 'checkpoints', 'last.safetensors') });
    expect(result.history).toHaveLength(1);
    const ck = await loadCheckpoint(result.interrupted!.checkpoint);
    expect([ck.state.epoch, ck.state.loaderStep, ck.state.optimizerStep]).toEqual([1, 4, 6]);
    expect(ck.state.running.trainSeconds).toBeGreaterThan(0);

    const lines = (await fs.readFile(path.join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ epoch: 1.5, partial: true });
    expect(lines[1]).not.toHaveProperty('testAccuracy');
    expect((await fs.readFile(path.join(out, 'metrics.csv'), 'utf8')).trim().split('\n').at(-1)).toMatch(/^1\.5,[^,]+,[^,]+,,,,,/);
    expect(await fs.readFile(path.join(out, 'plot.svg'), 'utf8')).toContain('(epoch 2 in progress, 50%)');

    const resumed = await train(recipe, { out, resume: true, progress: quiet, sources: sources() });
    expect(resumed.interrupted).toBeUndefined();
    expect(learned(resumed.history)).toEqual(learned(reference));
    // The finished files hold finished epochs only.
    expect((await fs.readFile(path.join(out, 'metrics.jsonl'), 'utf8')).includes('partial')).toBe(false);
  });

  it('stops after the last step of an epoch without evaluating it; the resumed run evaluates it as an uninterrupted one', async () => {
    const out = path.join(dir, 'end');
    const result = await train(recipe, { out, sources: sources(), ...abortAt('epoch 1/2 step 8/8') });
    expect(result.interrupted).toMatchObject({ epoch: 0, step: 8 });
    expect(result.history).toHaveLength(0);
    const resumed = await train(recipe, { out, resume: true, progress: quiet, sources: sources() });
    expect(learned(resumed.history)).toEqual(learned(reference));
  });

  it('stops during the evaluation, which the resumed run does', async () => {
    const out = path.join(dir, 'eval');
    const controller = new AbortController();
    const test = source(16, 1);
    // The first evaluation image read raises the signal.
    const watched: ImageSource = { ...test, read: (i: number) => (controller.abort(), test.read(i)) };
    const result = await train(recipe, { out, progress: quiet, sources: { train: source(32, 0), test: watched }, signal: controller.signal });
    expect(result.interrupted).toMatchObject({ epoch: 0, step: 8 });
    expect(result.history).toHaveLength(0);
    const resumed = await train(recipe, { out, resume: true, progress: quiet, sources: sources() });
    expect(learned(resumed.history)).toEqual(learned(reference));
  });

  it('writes the epoch so far with every mid-epoch checkpoint', async () => {
    const out = path.join(dir, 'crash');
    const crashing = { write: (t: string) => { if (t.startsWith('epoch 1/2 step 7/')) throw new Error('killed'); return true; } };
    await expect(train(recipe, { out, progress: crashing, sources: sources() })).rejects.toThrow('killed');
    // The last checkpoint came after optimizer step 3 (loader step 6).
    const metrics = (await fs.readFile(path.join(out, 'metrics.csv'), 'utf8')).trim().split('\n');
    expect(metrics).toHaveLength(2);
    expect(metrics[1]).toMatch(/^0\.75,/);
  });
});

describe('train() resumed with more epochs', () => {
  const constant: RecipeConfig = { ...recipe, schedule: { kind: 'step', stepEpochs: 1, gamma: 0.5, warmupEpochs: 1 }, ema: null };

  it('continues a finished run as if it had been started with those epochs (a schedule that does not span the run)', async () => {
    const two = await train({ ...constant, epochs: 2 }, { out: path.join(dir, 'two'), progress: quiet, sources: sources() });
    const out = path.join(dir, 'one');
    await train({ ...constant, epochs: 1 }, { out, progress: quiet, sources: sources() });
    const extended = await train(constant, { out, resume: true, resumeOverrides: { epochs: 2 }, progress: quiet, sources: sources() });
    expect(extended.config.epochs).toBe(2);
    expect(learned(extended.history)).toEqual(learned(two.history));
    expect(JSON.parse(await fs.readFile(path.join(out, 'config.json'), 'utf8'))).toMatchObject({ epochs: 2 });
  });

  it('refuses to stretch a cosine schedule unless asked, and says how the learning rate moves when asked', async () => {
    const out = path.join(dir, 'cosine');
    await train({ ...recipe, epochs: 1 }, { out, progress: quiet, sources: sources() });
    await expect(train(recipe, { out, resume: true, resumeOverrides: { epochs: 2 }, progress: quiet, sources: sources() })).rejects.toThrow(/--reschedule/);
    let said = '';
    const r = await train(recipe, { out, resume: true, resumeOverrides: { epochs: 2 }, reschedule: true, progress: { write: (t: string) => ((said += t), true) }, sources: sources() });
    expect(r.history).toHaveLength(2);
    expect(said).toMatch(/epochs 1 → 2; the cosine schedule now spans them: lr at step 4 \S+ → \S+/);
  });
});
