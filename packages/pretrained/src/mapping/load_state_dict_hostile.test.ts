// loadStateDict on checkpoints that state absurd shapes or carry unusable values: shapes are
// compared before any value is touched, and NaN/Inf or negative variances are refused by key.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@resnext/layers';
import { createModel } from '@resnext/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { load, loadWeights } from '../classifier/load.js';
import { WeightsFormatError, WeightsValueError } from '../errors.js';
import type { TensorMap, TensorRecord } from '../formats/tensor_record.js';
import { writeSafetensors } from '../formats/write_safetensors.js';
import { TINY, TINY_CHECKPOINT, TINY_CLASSES, TINY_RECORD } from '../testing/tiny_resnext_fixture.js';
import { loadStateDict } from './load_state_dict.js';
import { StateDictMismatchError } from './state_dict_mismatch_error.js';

const build = () => createModel(TINY, { numClasses: TINY_CLASSES, inputShape: [null, null, 3] });

/** The fixture's state dict with `key` replaced (values copied, so the fixture stays intact). */
function withEntry(key: string, change: (t: TensorRecord) => TensorRecord): TensorMap {
  const out: TensorMap = new Map();
  for (const [k, t] of TINY_CHECKPOINT.tensors) out.set(k, k === key ? change({ ...t, values: t.values.slice() }) : t);
  return out;
}
const poke = (index: number, value: number) => (t: TensorRecord): TensorRecord => {
  t.values[index] = value;
  return t;
};
const kernelOf = (model: ReturnType<typeof build>, layer: string) => model.getLayer(layer).getWeights()[0]!.dataSync().slice();

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('loadStateDict compares shapes before touching values', () => {
  it('reports a zero-element conv weight with huge dims as mis-shaped without iterating over its dims', () => {
    const model = build();
    // o × i = 9e8 iterations of the layout loop if it ran before the shape check (seconds).
    const dict = withEntry('conv1.weight', () => ({ dtype: 'float32', shape: [30000, 30000, 0, 1], values: new Float32Array(0) }));
    const t0 = performance.now();
    expect(() => loadStateDict(model, dict, { source: 'huge.safetensors' })).toThrow(StateDictMismatchError);
    const result = loadStateDict(model, dict, { strict: false });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(result.mismatchedKeys).toEqual(['conv1.weight: checkpoint [0, 1, 30000, 30000] vs model [7, 7, 3, 16]']);
    model.dispose();
  });

  it('refuses a tensor whose values do not fill its shape, naming the file and key', () => {
    const model = build();
    const dict = withEntry('fc.bias', (t) => ({ ...t, values: t.values.subarray(1) }));
    expect(() => loadStateDict(model, dict, { source: 'short.safetensors' })).toThrow(WeightsFormatError);
    expect(() => loadStateDict(model, dict, { source: 'short.safetensors' })).toThrow(/^short\.safetensors: tensor "fc\.bias" of shape \[10\] needs 10 values but has 9/);
    model.dispose();
  });
});

describe('loadStateDict refuses unusable values by key', () => {
  const cases: [string, string, (t: TensorRecord) => TensorRecord, RegExp][] = [
    ['a NaN in a conv weight', 'layer1.0.conv2.weight', poke(5, NaN), /layer1\.0\.conv2\.weight: 1 of \d+ values are NaN or infinite \(the first, index 5, is NaN\)/],
    ['an Infinity in the classifier', 'fc.weight', poke(0, Infinity), /fc\.weight: 1 of \d+ values are NaN or infinite \(the first, index 0, is Infinity\)/],
    ['a -Infinity in a BN bias', 'bn1.bias', poke(3, -Infinity), /bn1\.bias: .*index 3, is -Infinity/],
    ['a negative running variance', 'layer2.0.downsample.1.running_var', poke(2, -0.5), /layer2\.0\.downsample\.1\.running_var: running variance is negative \(index 2 is -0\.5\)/],
  ];
  it.each(cases)('refuses %s with a WeightsValueError naming the file and key; the model is untouched', (_, key, change, message) => {
    const model = build();
    const before = kernelOf(model, 'conv1');
    const call = () => loadStateDict(model, withEntry(key, change), { source: 'bad.safetensors' });
    expect(call).toThrow(WeightsValueError);
    expect(call).toThrow(/^bad\.safetensors: /);
    expect(call).toThrow(message);
    expect(call).toThrow(/checkValues: false/);
    expect(kernelOf(model, 'conv1')).toEqual(before);
    try {
      call();
    } catch (err) {
      expect((err as WeightsValueError).key).toBe(key);
      expect((err as WeightsValueError).source).toBe('bad.safetensors');
    }
    model.dispose();
  });

  it('loads them with checkValues: false', () => {
    const model = build();
    loadStateDict(model, withEntry('fc.bias', poke(0, NaN)), { checkValues: false });
    expect(Number.isNaN(model.getLayer('fc').getWeights()[1]!.dataSync()[0])).toBe(true);
    model.dispose();
  });

  it('refuses them through loadWeights and load, naming the file', async () => {
    const bytes = writeSafetensors(withEntry('bn1.running_var', poke(0, NaN)));
    const model = build();
    await expect(loadWeights(model, bytes)).rejects.toThrow(/^checkpoint bytes: bn1\.running_var: 1 of 16 values are NaN/);
    await expect(loadWeights(model, bytes, { checkValues: false })).resolves.toBeDefined();
    model.dispose();
    await expect(load({ record: TINY_RECORD, config: TINY, weights: bytes, warmup: false })).rejects.toThrow(WeightsValueError);
  });
});
