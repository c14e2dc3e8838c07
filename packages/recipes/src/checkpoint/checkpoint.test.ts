// BatchNorm counters (PyTorch's num_batches_tracked) travel through a checkpoint, so a resumed
// run's final state dict counts the batches of the whole run; damaged counters are refused.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { batchNorm, type TrainingBatchNormalization } from '@resnext/layers';
import { readSafetensors, writeSafetensors } from '@resnext/pretrained';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRecipe } from '../catalog/registry.js';
import { batchCounters, CheckpointError, loadCheckpoint, restoreBatchCounters, saveCheckpoint, type TrainState } from './checkpoint.js';

const STATE: TrainState = { epoch: 0, loaderStep: 0, optimizerStep: 0, running: { lossSum: 0, correct: 0, count: 0 }, history: [], elapsedSeconds: 0 };
let dir = '';

/** input → bn1 → bn2 over 4 channels. */
function twoBatchNorms(): tfl.LayersModel {
  const input = tfl.input({ shape: [2, 2, 4] });
  return tfl.model({ inputs: input, outputs: batchNorm('bn2').apply(batchNorm('bn1').apply(input)) as tfl.SymbolicTensor });
}
const counter = (model: tfl.LayersModel, name: string) => (model.getLayer(name) as TrainingBatchNormalization).numBatchesTracked;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'checkpoint-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('checkpoint BatchNorm counters', () => {
  it('round-trip: counted training calls are saved and restored into a fresh model', async () => {
    const model = twoBatchNorms();
    const x = tf.randomNormal([3, 2, 2, 4], 0, 1, 'float32', 1);
    for (let i = 0; i < 3; i++) tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
    expect(batchCounters(model)).toEqual({ bn1: 3, bn2: 3 });
    const file = path.join(dir, 'round-trip.safetensors');
    await saveCheckpoint(file, { state: STATE, config: getRecipe('cifar10-resnext29'), weights: [], optimizer: { slots: new Map(), meta: {} }, ema: null, batchCounters: batchCounters(model) });
    const fresh = twoBatchNorms();
    restoreBatchCounters(fresh, (await loadCheckpoint(file)).batchCounters, file);
    expect([counter(fresh, 'bn1'), counter(fresh, 'bn2')]).toEqual([3, 3]);
    x.dispose();
    model.dispose();
    fresh.dispose();
  });

  it('a checkpoint without counters leaves them; bad or foreign counters are a CheckpointError', async () => {
    const file = path.join(dir, 'counters.safetensors');
    await saveCheckpoint(file, { state: STATE, config: getRecipe('cifar10-resnext29'), weights: [], optimizer: { slots: new Map(), meta: {} }, ema: null, batchCounters: {} });
    const { metadata } = readSafetensors(await fs.readFile(file), file);
    const withCounters = async (text: string | undefined) => {
      const { batchCounters: _, ...rest } = metadata;
      await fs.writeFile(file, writeSafetensors(new Map(), text === undefined ? rest : { ...rest, batchCounters: text }));
      return loadCheckpoint(file);
    };
    expect((await withCounters(undefined)).batchCounters).toEqual({});
    for (const bad of ['{"bn1":-5}', '{"bn1":1.5}', '[1]', '7', '{"bn1":']) {
      await expect(withCounters(bad), bad).rejects.toThrow(CheckpointError);
    }
    const model = twoBatchNorms();
    expect(() => restoreBatchCounters(model, { fc: 2 }, file)).toThrow(/counts batches of "fc", which is not a BatchNorm layer/);
    model.dispose();
  });
});
