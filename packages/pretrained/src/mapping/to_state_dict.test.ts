import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@resnext/layers';
import type { TrainingBatchNormalization } from '@resnext/layers';
import { createModel, type ResNeXtConfig } from '@resnext/models';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWeights } from '../classifier/load.js';
import { exportTfjs } from '../export/export_tfjs.js';
import { readSafetensors } from '../formats/safetensors.js';
import { writeSafetensors } from '../formats/write_safetensors.js';
import { loadStateDict } from './load_state_dict.js';
import { toStateDict } from './to_state_dict.js';

const fixture = readSafetensors(readFileSync(new URL('../../../../fixtures/torchvision/tiny_resnext.safetensors', import.meta.url)));
const cfg = JSON.parse(fixture.metadata['config']!) as { layers: number[]; stem: number; planes: number[]; groups: number; width_per_group: number };
const TINY: ResNeXtConfig = {
  name: 'tiny_resnext', block: 'bottleneck', blocksPerStage: cfg.layers, cardinality: cfg.groups, baseWidth: cfg.width_per_group,
  stagePlanes: cfg.planes, expansion: 4, stem: 'imagenet', stemWidth: cfg.stem, defaultInputSize: 64, origin: 'test fixture',
};
const build = () => createModel(TINY, { numClasses: 10, inputShape: [null, null, 3] });
const dir = mkdtempSync(path.join(os.tmpdir(), 'to-state-dict-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('toStateDict', () => {
  it("gives back torchvision's state dict: same keys, shapes and values", () => {
    const model = build();
    loadStateDict(model, fixture.tensors);
    const back = toStateDict(model);
    expect([...back.keys()].sort()).toEqual([...fixture.tensors.keys()].sort());
    for (const [key, t] of fixture.tensors) {
      expect(back.get(key)!.shape, key).toEqual(t.shape);
      expect(Array.from(back.get(key)!.values), key).toEqual(Array.from(t.values));
    }
    model.dispose();
  });

  it('exports num_batches_tracked as counted by training-mode calls, from the value loaded', () => {
    const model = build();
    loadStateDict(model, fixture.tensors);
    const x = tf.randomNormal<tf.Rank.R4>([2, 64, 64, 3], 0, 1, 'float32', 5);
    for (let i = 0; i < 2; i++) tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
    tf.dispose([x, model.predict(x)]);
    const back = toStateDict(model);
    for (const [key, t] of fixture.tensors) {
      if (key.endsWith('.num_batches_tracked')) expect(back.get(key)!.values[0], key).toBe(t.values[0]! + 2);
    }
    model.dispose();
  });

  it('refuses a num_batches_tracked that is not a non-negative integer, before any weight changes; checkValues: false loads it', () => {
    const model = build();
    const bad = new Map(fixture.tensors);
    bad.set('bn1.num_batches_tracked', { dtype: 'float32', shape: [], values: Float32Array.of(-1.5) });
    expect(() => loadStateDict(model, bad)).toThrow(/bn1\.num_batches_tracked.*non-negative integer/);
    expect((model.getLayer('bn1') as TrainingBatchNormalization).numBatchesTracked).toBe(0);
    loadStateDict(model, bad, { checkValues: false });
    expect((model.getLayer('bn1') as TrainingBatchNormalization).numBatchesTracked).toBe(-1.5);
    bad.set('bn1.num_batches_tracked', { dtype: 'int64', shape: [2], values: Int32Array.of(1, 2) });
    expect(loadStateDict(model, bad, { strict: false }).mismatchedKeys).toEqual(['bn1.num_batches_tracked: checkpoint [2] vs model []']);
    model.dispose();
  });

  it('round-trips through writeSafetensors / readSafetensors', () => {
    const model = build();
    loadStateDict(model, fixture.tensors);
    const bytes = writeSafetensors(toStateDict(model), { format: 'pt' });
    const read = readSafetensors(bytes);
    expect(read.metadata).toEqual({ format: 'pt' });
    for (const [key, t] of read.tensors) expect(Array.from(t.values), key).toEqual(Array.from(toStateDict(model).get(key)!.values));
    model.dispose();
  });
});

describe('loadWeights from a tfjs model.json', () => {
  it('loads what exportTfjs wrote, with identical logits', async () => {
    const source = build();
    loadStateDict(source, fixture.tensors);
    await exportTfjs(source, dir);
    const target = build();
    expect(await loadWeights(target, path.join(dir, 'model.json'))).toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
    const x = tf.randomNormal<tf.Rank.R4>([1, 64, 64, 3], 0, 1, 'float32', 4);
    const [a, b] = [source.predict(x) as tf.Tensor, target.predict(x) as tf.Tensor];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    source.dispose();
    target.dispose();
  });
});
