// Golden test: a torchvision ResNeXt (narrow widths, random weights and BN statistics, made by
// tools/fixtures/make_torchvision_fixtures.py with Debian's python3-torch) loaded through our
// readers and key mapping into a model from @resnext/models must give torchvision's logits.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@resnext/layers';
import { createModel, type ResNeXtConfig } from '@resnext/models';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { relativeError } from '@resnext/test-support';
import { readPytorchCheckpoint } from '../formats/pytorch_checkpoint.js';
import { readSafetensors } from '../formats/safetensors.js';
import { StateDictMismatchError, loadStateDict } from '../mapping/load_state_dict.js';

const fixture = (name: string) => readFileSync(new URL(`../../../../fixtures/torchvision/${name}`, import.meta.url));

const st = readSafetensors(fixture('tiny_resnext.safetensors'), 'tiny_resnext.safetensors');
const cfg = JSON.parse(st.metadata['config']!) as { layers: number[]; stem: number; planes: number[]; groups: number; width_per_group: number; num_classes: number };
/** The fixture's architecture, as @resnext/models data. */
const TINY: ResNeXtConfig = {
  name: 'tiny_resnext',
  block: 'bottleneck',
  blocksPerStage: cfg.layers,
  cardinality: cfg.groups,
  baseWidth: cfg.width_per_group,
  stagePlanes: cfg.planes,
  expansion: 4,
  stem: 'imagenet',
  stemWidth: cfg.stem,
  defaultInputSize: 64,
  origin: 'test fixture',
};
const io = readSafetensors(fixture('tiny_resnext.io.safetensors')).tensors;


describe.each([
  ['safetensors', () => st.tensors],
  ['pth', () => readPytorchCheckpoint(fixture('tiny_resnext.pth'), 'tiny_resnext.pth')],
])('torchvision parity via %s', (_, read) => {
  it.each(['cpu', 'wasm'])('gives torchvision logits within 1e-5 relative on %s', async (backend) => {
    await tf.setBackend(backend);
    const model = createModel(TINY, { numClasses: cfg.num_classes, inputShape: [null, null, 3] });
    expect(loadStateDict(model, read(), { source: 'tiny_resnext' })).toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
    for (const i of [0, 1]) {
      const input = io.get(`input_${i}`)!;
      const logits = io.get(`logits_${i}`)!;
      const y = tf.tidy(() => model.predict(tf.transpose(tf.tensor(input.values as Float32Array, input.shape), [0, 2, 3, 1])) as tf.Tensor);
      expect(y.shape).toEqual(logits.shape);
      const err = relativeError(await y.data(), logits.values);
      expect(err, `input ${i} ${input.shape.join('x')}`).toBeLessThan(1e-5);
      y.dispose();
    }
    model.dispose();
  });
});

describe('loadStateDict on a mismatched architecture', () => {
  it('names missing, unexpected and mis-shaped keys, and changes nothing in strict mode', async () => {
    await tf.setBackend('cpu');
    const wrong = createModel({ ...TINY, cardinality: 2, blocksPerStage: [1, 1, 1, 1] }, { numClasses: 10, inputShape: [null, null, 3] });
    const before = wrong.getLayer('conv1').getWeights()[0]!.dataSync().slice();
    let error: unknown;
    try {
      loadStateDict(wrong, st.tensors, { source: 'tiny_resnext.safetensors' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateDictMismatchError);
    const { result } = error as StateDictMismatchError;
    expect(result.unexpectedKeys).toContain('layer1.1.conv1.weight');
    // cardinality 2 gives inner width ⌊8·16/64⌋·2 = 4 instead of 8.
    expect(result.mismatchedKeys).toContain('layer1.0.conv2.weight: checkpoint [3, 3, 2, 8] vs model [3, 3, 2, 4]');
    expect((error as Error).message).toMatch(/^tiny_resnext\.safetensors does not fit the model/);
    expect(Array.from(wrong.getLayer('conv1').getWeights()[0]!.dataSync())).toEqual(Array.from(before));
    const lenient = loadStateDict(wrong, st.tensors, { strict: false });
    expect(lenient.unexpectedKeys.length).toBeGreaterThan(0);
    wrong.dispose();
  });
});
