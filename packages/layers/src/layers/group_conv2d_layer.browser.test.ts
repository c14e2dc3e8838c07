// In Chromium on webgl: a model with GroupConv2D layers and a ResNeXt bottleneck survives an
// indexeddb:// save and load with identical outputs.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import '../kernels/register_all.js';
import { bottleneckBlock } from '../blocks/bottleneck_block.js';
import { randomArray } from '../testing/naive_group_conv.js';
import { groupConv2dLayer } from './group_conv2d_layer.js';

const URL = 'indexeddb://resnext-js-group-conv2d-layer-test';

function smallModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 8] });
  let x = groupConv2dLayer({ name: 'stem', filters: 16, kernelSize: 3, groups: 4, padding: [[1, 1], [1, 1]], activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  x = bottleneckBlock(x, { prefix: 'layer1.0', planes: 8, stride: 2, cardinality: 4, baseWidth: 16 });
  x = groupConv2dLayer({ name: 'mix', filters: 8, kernelSize: 1, groups: 2, activation: 'tanh' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: x });
  let seed = 1;
  for (const w of model.weights) {
    const r = randomArray(w.shape.reduce((a: number, b) => a * b!, 1), seed++);
    const v = w.originalName.endsWith('moving_variance') ? r.map((u) => 1 + 0.5 * u) : r;
    w.write(tf.tensor(Float32Array.from(v), w.shape as number[]));
  }
  return model;
}

describe('GroupConv2D layer on webgl', () => {
  it('round-trips a model through indexeddb:// with identical outputs', async () => {
    expect(await tf.setBackend('webgl')).toBe(true);
    const model = smallModel();
    const x = tf.tensor4d(Float32Array.from(randomArray(2 * 8 * 8 * 8, 7)), [2, 8, 8, 8]);
    const expected = model.predict(x) as tf.Tensor;
    await model.save(URL);
    const loaded = await tfl.loadLayersModel(URL);
    const actual = loaded.predict(x) as tf.Tensor;
    expect(actual.shape).toEqual([2, 4, 4, 8]);
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    expect(loaded.getLayer('layer1.0.conv2').getClassName()).toBe('GroupConv2D');
    expect(Array.from(await actual.data())).toEqual(Array.from(await expected.data()));
    await tf.io.removeModel(URL);
    tf.dispose([x, expected, actual]);
    model.dispose();
    loaded.dispose();
  });
});
