// StateDictMismatchError: keys in torchvision's state-dict naming, and a message of bounded length
// however many keys disagree (`result` keeps them all).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@resnext/layers';
import { createModel, type ResNeXtConfig } from '@resnext/models';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../formats/safetensors.js';
import { loadStateDict } from './load_state_dict.js';
import { MISMATCH_MESSAGE_KEYS, StateDictMismatchError, boundedList } from './state_dict_mismatch_error.js';
import { stateDictKeyOf } from './torchvision_keys.js';

const fixture = readSafetensors(readFileSync(new URL('../../../../fixtures/torchvision/tiny_resnext.safetensors', import.meta.url)));
const cfg = JSON.parse(fixture.metadata['config']!) as { layers: number[]; stem: number; planes: number[]; groups: number; width_per_group: number; num_classes: number };
const TINY: ResNeXtConfig = {
  name: 'tiny_resnext', block: 'bottleneck', blocksPerStage: cfg.layers, cardinality: cfg.groups, baseWidth: cfg.width_per_group,
  stagePlanes: cfg.planes, expansion: 4, stem: 'imagenet', stemWidth: cfg.stem, defaultInputSize: 64, origin: 'test fixture',
};
const build = (config: ResNeXtConfig = TINY) => createModel(config, { numClasses: cfg.num_classes, inputShape: [null, null, 3] });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('stateDictKeyOf', () => {
  it('inverts the key mapping for conv, batch norm and dense weights', () => {
    expect(stateDictKeyOf('layer1.0.conv1', 'kernel', 'conv')).toBe('layer1.0.conv1.weight');
    expect(stateDictKeyOf('layer1.0.bn1', 'gamma', 'batchnorm')).toBe('layer1.0.bn1.weight');
    expect(stateDictKeyOf('layer1.0.bn1', 'beta', 'batchnorm')).toBe('layer1.0.bn1.bias');
    expect(stateDictKeyOf('layer1.0.bn1', 'moving_mean', 'batchnorm')).toBe('layer1.0.bn1.running_mean');
    expect(stateDictKeyOf('layer1.0.bn1', 'moving_variance', 'batchnorm')).toBe('layer1.0.bn1.running_var');
    expect(stateDictKeyOf('fc', 'kernel', 'dense')).toBe('fc.weight');
    expect(stateDictKeyOf('fc', 'bias', 'dense')).toBe('fc.bias');
    expect(stateDictKeyOf('odd', 'thing', undefined)).toBe('odd/thing');
  });
});

describe('loadStateDict reports missing keys as state-dict keys', () => {
  it('names exactly the entries removed from a matching checkpoint', () => {
    const removed = ['fc.weight', 'fc.bias', 'layer1.0.conv1.weight', 'layer1.0.bn1.weight', 'layer1.0.bn1.bias', 'layer1.0.bn1.running_mean', 'layer1.0.bn1.running_var'];
    const partial = new Map([...fixture.tensors].filter(([key]) => !removed.includes(key)));
    const model = build();
    const result = loadStateDict(model, partial, { strict: false });
    model.dispose();
    expect([...result.missingKeys].sort()).toEqual([...removed].sort());
    expect(result.unexpectedKeys).toEqual([]);
    expect(result.mismatchedKeys).toEqual([]);
  });

  it('throws a StateDictMismatchError with typed fields and a bounded message', () => {
    const model = build();
    const empty = new Map([['extra.weight', { dtype: 'float32' as const, shape: [1], values: new Float32Array(1) }]]);
    let error: unknown;
    try {
      loadStateDict(model, empty, { source: 'other.safetensors' });
    } catch (e) {
      error = e;
    }
    const weightCount = model.weights.length;
    model.dispose();
    expect(error).toBeInstanceOf(StateDictMismatchError);
    const mismatch = error as StateDictMismatchError;
    expect(mismatch.name).toBe('StateDictMismatchError');
    expect(mismatch.source).toBe('other.safetensors');
    expect(mismatch.result.missingKeys).toHaveLength(weightCount);
    expect(mismatch.result.missingKeys).toContain('layer1.0.conv1.weight');
    expect(mismatch.result.missingKeys).toContain('bn1.running_var');
    expect(mismatch.result.missingKeys.some((k) => k.includes('/'))).toBe(false);
    expect(mismatch.result.unexpectedKeys).toEqual(['extra.weight']);
    const message = mismatch.message;
    expect(message).toMatch(new RegExp(`^other\\.safetensors does not fit the model \\(wrong architecture\\?\\): ${weightCount} missing, 1 unexpected state-dict keys — `));
    expect(message).toContain(`missing in the checkpoint: ${mismatch.result.missingKeys.slice(0, MISMATCH_MESSAGE_KEYS).join(', ')} … and ${weightCount - MISMATCH_MESSAGE_KEYS} more`);
    expect(message).toContain('unexpected in the checkpoint: extra.weight');
    expect(message).not.toContain(mismatch.result.missingKeys[MISMATCH_MESSAGE_KEYS]!);
    expect(message.length).toBeLessThan(500);
  });

  it('bounds the shape-mismatch list too', () => {
    const wrong = build({ ...TINY, cardinality: 2 });
    let error: unknown;
    try {
      loadStateDict(wrong, fixture.tensors, { source: 'tiny_resnext.safetensors' });
    } catch (e) {
      error = e;
    }
    wrong.dispose();
    const { result, message } = error as StateDictMismatchError;
    expect(result.mismatchedKeys.length).toBeGreaterThan(MISMATCH_MESSAGE_KEYS);
    // A mis-shaped key is not also missing.
    const misShaped = result.mismatchedKeys.map((k) => k.slice(0, k.indexOf(':')));
    expect(misShaped).toContain('layer1.0.conv2.weight');
    expect(result.missingKeys.filter((k) => misShaped.includes(k))).toEqual([]);
    expect(message).toContain(`${result.mismatchedKeys.length} mis-shaped`);
    expect(message).toContain(`shape mismatch: ${result.mismatchedKeys.slice(0, MISMATCH_MESSAGE_KEYS).join('; ')} … and ${result.mismatchedKeys.length - MISMATCH_MESSAGE_KEYS} more`);
  });
});

describe('boundedList', () => {
  it('lists short lists whole and cuts long ones with a count', () => {
    expect(boundedList(['a', 'b'], 3)).toBe('a, b');
    expect(boundedList(['a', 'b', 'c'], 3)).toBe('a, b, c');
    expect(boundedList(['a', 'b', 'c', 'd', 'e'], 3)).toBe('a, b, c … and 2 more');
    expect(boundedList(['a', 'b'], 1, '; ')).toBe('a … and 1 more');
  });
});
