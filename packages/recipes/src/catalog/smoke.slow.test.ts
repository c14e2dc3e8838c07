// Every shipped recipe end to end through train(), in-process, on small data: the real
// Fashion-MNIST from Debian, generated CIFAR-10 binaries and generated image folders. The recipes
// keep their optimizer, schedule, augmentation and model; only sizes shrink (epochs, batch, data
// limits, crop sizes) and the backend is wasm with one thread.
import { copyFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { useBackend } from '@resnext/backends';
import { createModel, getModelConfig } from '@resnext/models';
import { readSafetensors, toStateDict, writeSafetensors } from '@resnext/pretrained';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { RecipeConfig } from '../config/recipe_config.js';
import { resolveRecipe } from '../config/resolve.js';
import { writeCifarBinary, writeImageFolder } from '../data/generate.js';
import { namedWeights } from '../optim/params.js';
import type { EpochMetrics } from '../report/metrics.js';
import type { ProgressSink } from '../report/progress.js';
import { train, type TrainResult } from '../train/trainer.js';
import { getRecipe, listRecipes } from './registry.js';

const RUN_FILES = ['checkpoints', 'config.json', 'metrics.csv', 'metrics.jsonl', 'model.safetensors', 'plot.svg'];
const quiet = { write: () => true };

let dir = '';

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'recipes-smoke-'));
  // The test process builds a model itself (finetune's "pretrained" checkpoint): select the backend first.
  await useBackend('wasm', { threads: 1 });
});

afterAll(async () => {
  if (dir !== '') await fs.rm(dir, { recursive: true, force: true });
});

/** The shipped recipe `name`, shrunk: wasm with one thread, every step's checkpoint skipped. */
function shrink(name: string, overrides: { epochs: number; batchSize: number; dataDir?: string }, patch: (r: RecipeConfig) => void = () => undefined): RecipeConfig {
  const r = resolveRecipe(getRecipe(name), { ...overrides, backend: 'wasm', threads: 1 });
  r.checkpointEverySteps = 0;
  patch(r);
  return r;
}

/** Runs and checks what every run directory holds and that every loss is finite. */
async function run(recipe: RecipeConfig, out: string, progress: ProgressSink = quiet): Promise<TrainResult> {
  const result = await train(recipe, { out: path.join(dir, out), progress });
  expect((await fs.readdir(result.runDir)).sort()).toEqual(RUN_FILES);
  const lines = (await fs.readFile(path.join(result.runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
  expect(lines.map((l) => JSON.parse(l) as EpochMetrics)).toEqual(result.history);
  expect(result.history).toHaveLength(recipe.epochs);
  for (const m of result.history) {
    for (const v of [m.trainLoss, m.testLoss, m.trainAccuracy, m.testAccuracy, m.lr]) expect(Number.isFinite(v), JSON.stringify(m)).toBe(true);
  }
  const config = JSON.parse(await fs.readFile(path.join(result.runDir, 'config.json'), 'utf8')) as RecipeConfig;
  expect(config.name).toBe(recipe.name);
  expect(await fs.readFile(path.join(result.runDir, 'plot.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  return result;
}

/** The trained model's state dict (torchvision keys), as written to model.safetensors. */
async function finalWeights(runDir: string) {
  const file = path.join(runDir, 'model.safetensors');
  return readSafetensors(await fs.readFile(file), file).tensors;
}

/** Bit-for-bit equality of two tensors' values (fast on millions of elements, unlike toEqual). */
function sameBits(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** An image folder with `train/` and `val/` as the image-folder recipes expect. */
async function imageFolder(name: string): Promise<string> {
  const root = path.join(dir, name);
  await writeImageFolder(path.join(root, 'train'), { classes: 3, perClass: 4, size: 48, seed: 1, format: 'jpeg' });
  await writeImageFolder(path.join(root, 'val'), { classes: 3, perClass: 2, size: 48, seed: 2, format: 'png' });
  return root;
}

/** Crops of 32 px instead of 224 so that ResNeXt-50 trains in seconds on one core. */
function smallCrops(r: RecipeConfig): void {
  const size = (s: RecipeConfig['trainTransform'][number]) => ({ ...s, ...('size' in s && { size: s.kind === 'resize' ? 36 : 32 }) });
  r.trainTransform = r.trainTransform.map(size);
  r.evalTransform = r.evalTransform.map(size);
  r.model.inputShape = [32, 32, 3];
}

describe('shipped recipes (smoke)', () => {
  it("ships the four recipes: Fashion-MNIST, the paper's CIFAR-10 and ImageNet, and ImageNet fine-tuning", () => {
    expect(listRecipes()).toEqual(['fashion-mnist-resnext', 'cifar10-resnext29', 'imagenet-resnext50', 'finetune-resnext50']);
  });

  it('fashion-mnist-resnext learns on 256 real Fashion-MNIST images', async () => {
    const recipe = shrink('fashion-mnist-resnext', { epochs: 2, batchSize: 32 }, (r) => {
      r.dataset = { ...r.dataset, trainLimit: 256, testLimit: 200 };
      // The recipe warms up over 2.4 of its 16 epochs; a 2-epoch smoke run uses one-cycle's default 30 %.
      r.schedule = { kind: 'onecycle' };
    });
    const { history } = await run(recipe, 'fashion-mnist');
    // Ten classes: chance is 10 %; the loss falls and the net beats chance clearly.
    expect(history[1]!.trainLoss).toBeLessThan(history[0]!.trainLoss - 0.3);
    expect(history[1]!.testAccuracy).toBeGreaterThan(0.2);
    // One-cycle over 2 × 8 steps: warmup round(0.3 · 16) = 5 steps, then a half-cosine to
    // lr / (25 · 1e4); the last step (index 15) is 10/11 of the way down.
    const min = 1 / 25e4;
    expect(history[1]!.lr).toBeCloseTo(0.15 * (min + ((1 - min) * (1 + Math.cos((Math.PI * 10) / 11))) / 2), 12);
  });

  it('cifar10-resnext29 with a narrow ResNeXt-29 (8x16d, planes 16-32-64 instead of the 8x64d) trains on generated CIFAR-10 binaries', async () => {
    // The paper's 8x64d at 32 px takes 15–40 s for even 4 images here; a narrow model of the same
    // family (3 stages × 3 bottlenecks, CIFAR stem, cardinality 8) keeps the recipe's every other part.
    const data = path.join(dir, 'data-cifar10');
    await writeCifarBinary(data, { variant: 10, perClass: 2, seed: 3 });
    const recipe = shrink('cifar10-resnext29', { epochs: 1, batchSize: 4, dataDir: data }, (r) => {
      r.model.config = { ...getModelConfig(r.model.name), name: 'resnext29_8x16d_narrow', baseWidth: 16, stagePlanes: [16, 32, 64], stemWidth: 16 };
      r.dataset = { ...r.dataset, trainLimit: 16, testLimit: 4 };
    });
    const { history, runDir } = await run(recipe, 'cifar10');
    const weights = await finalWeights(runDir);
    // Width ⌊16 · 16 / 64⌋ · 8 = 32 in groups of 4; 29 layers: stem, 3 × 3 bottlenecks of 3 convs, fc.
    expect(weights.get('layer1.0.conv2.weight')?.shape).toEqual([32, 4, 3, 3]);
    expect([...weights.keys()].filter((k) => /conv\d\.weight$/.test(k) || k === 'fc.weight')).toHaveLength(29);
    expect(weights.get('fc.weight')?.shape).toEqual([10, 256]);
    // Milestones at 50 % and 75 % of the run: the last of 4 steps (epoch 0.75) runs at 0.1 / 100.
    expect(history[0]!.lr).toBeCloseTo(0.001, 12);
  });

  it('imagenet-resnext50 trains on a generated image folder at 32 px, the head follows the folder', async () => {
    const root = await imageFolder('data-imagenet');
    const recipe = shrink('imagenet-resnext50', { epochs: 1, batchSize: 4, dataDir: root }, smallCrops);
    const { history, runDir, config } = await run(recipe, 'imagenet');
    expect(config.model.numClasses).toBe(3);
    expect((await finalWeights(runDir)).get('fc.weight')?.shape).toEqual([3, 2048]);
    // Linear scaling rule: 0.1 per 256 images at batch 4.
    expect(history[0]!.lr).toBeCloseTo((0.1 * 4) / 256, 10);
  });

  it('finetune-resnext50 keeps the backbone frozen in epoch 1 and trains it in epoch 2', async () => {
    // A "pretrained" checkpoint of random weights in torchvision's layout, 1000 classes.
    const pretrained = createModel('resnext50_32x4d', { inputShape: [32, 32, 3] });
    const ckpt = path.join(dir, 'resnext50_random.safetensors');
    await fs.writeFile(ckpt, writeSafetensors(toStateDict(pretrained)));
    // The same weights under the trainer's names (`layer/weight`, tfjs layout), trainable only.
    const backbone = new Map(namedWeights(pretrained).filter((w) => w.trainable && w.layer !== 'fc').map((w) => [w.name, w.variable.dataSync().slice()]));
    pretrained.dispose();
    expect(backbone.size).toBeGreaterThan(100);

    const root = await imageFolder('data-finetune');
    const recipe = shrink('finetune-resnext50', { epochs: 2, batchSize: 4, dataDir: root }, (r) => {
      smallCrops(r);
      r.finetune = { ...r.finetune!, weights: ckpt, freezeBackboneEpochs: 1 };
    });
    // Keep the end-of-epoch-1 checkpoint: copy it when epoch 2 reports its first step (its
    // checkpoint is only written at the end of the epoch).
    const snapshot = path.join(dir, 'finetune_epoch1.safetensors');
    const runDir = path.join(dir, 'finetune-run');
    const progress = {
      write: (text: string) => {
        if (text.startsWith('epoch 2/2 step 1/')) copyFileSync(path.join(runDir, 'checkpoints', 'last.safetensors'), snapshot);
        return true;
      },
    };
    const { history } = await run(recipe, 'finetune-run', progress);
    const epoch1 = readSafetensors(await fs.readFile(snapshot), snapshot);
    expect(JSON.parse(epoch1.metadata['state']!)).toMatchObject({ epoch: 1, loaderStep: 0 });
    const after1 = epoch1.tensors;
    // Epoch 1: every trainable backbone weight is bit-identical to the checkpoint's (BN moving
    // statistics are not trainable and do move).
    const unchanged = [...backbone].filter(([name, values]) => sameBits(after1.get(`model/${name}`)!.values, values));
    expect(unchanged.map(([name]) => name)).toEqual([...backbone.keys()]);
    // Epoch 2: the backbone trains (at a tenth of the head's rate).
    const final = await finalWeights(runDir);
    const state = readSafetensors(await fs.readFile(path.join(runDir, 'checkpoints', 'last.safetensors')), 'last').tensors;
    const changed = [...backbone].filter(([name, values]) => !sameBits(state.get(`model/${name}`)!.values, values));
    expect(changed.length).toBeGreaterThan(backbone.size * 0.9);
    expect(final.get('fc.weight')?.shape).toEqual([3, 2048]);
    expect(sameBits(state.get('model/fc/kernel')!.values, after1.get('model/fc/kernel')!.values)).toBe(false);
    expect(history.map((m) => m.epoch)).toEqual([1, 2]);
  });
});
