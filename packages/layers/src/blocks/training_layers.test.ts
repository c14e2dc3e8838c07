// The layers residual blocks are built from behave as tfjs-layers' own BatchNormalization and
// Conv2D (same outputs, moving averages, gradients and model.json) while training faster on wasm.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import '../kernels/register_all.js';
import { randomArray } from '../testing/naive_group_conv.js';
import { batchNorm, conv1x1 } from './block_layers.js';
import { TrainingReLU } from './training_relu.js';

const random = (shape: number[], seed: number, scale = 1, offset = 0) =>
  tf.tensor(Float32Array.from(randomArray(shape.reduce((a, b) => a * b, 1), seed), (v) => v * scale + offset), shape);

/** conv1x1 (stride 2) → BN → ReLU, as ours or as tfjs-layers' stock layers, sharing one set of weights. */
function net(ours: boolean): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 5] });
  const conv = ours ? conv1x1('conv', 8, 2, 'glorotUniform') : tfl.layers.conv2d({ name: 'conv', filters: 8, kernelSize: 1, strides: 2, useBias: false });
  const bn = ours ? batchNorm('bn') : tfl.layers.batchNormalization({ name: 'bn', axis: -1, epsilon: 1e-5, momentum: 0.9 });
  const relu = ours ? new TrainingReLU({ name: 'relu' }) : tfl.layers.reLU({ name: 'relu' });
  const model = tfl.model({ inputs: input, outputs: relu.apply(bn.apply(conv.apply(input))) as tfl.SymbolicTensor });
  model.getLayer('conv').setWeights([random([1, 1, 5, 8], 7, 0.5)]);
  model.getLayer('bn').setWeights([random([8], 8, 0.2, 1), random([8], 9, 0.2), random([8], 10, 0.1), random([8], 11, 0.1, 1)]);
  return model;
}

/** One training-mode pass: output, gradients of Σ y·w over every weight, then the moving averages. */
async function trainStep(model: tfl.LayersModel): Promise<Float32Array[]> {
  const x = random([3, 6, 6, 5], 1, 1, 0.5);
  const w = random([3, 3, 3, 8], 2);
  const variables = model.trainableWeights.map((v) => v.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, w)), variables);
  const out = [await value.data<'float32'>(), ...(await Promise.all(variables.map((v) => grads[v.name]!.data<'float32'>())))];
  out.push(...(await Promise.all(model.getLayer('bn').getWeights().slice(2).map((t) => t.data<'float32'>()))));
  tf.dispose([x, w, value, ...Object.values(grads)]);
  return out;
}

describe('batchNorm, conv1x1 and TrainingReLU layers', () => {
  it('train like tfjs-layers\' BatchNormalization, Conv2D and ReLU on cpu: loss, gradients, moving averages (wasm and cpu)', async () => {
    await tf.setBackend('cpu');
    const stock = net(false);
    const reference = await trainStep(stock);
    stock.dispose();
    for (const backend of ['wasm', 'cpu']) {
      expect(await tf.setBackend(backend)).toBe(true);
      const model = net(true);
      const before = tf.memory().numTensors;
      const ours = await trainStep(model);
      expect(tf.memory().numTensors, `${backend}: no leak`).toBe(before);
      expect(ours.length).toBe(reference.length);
      ours.forEach((values, k) => {
        const scale = Math.max(...reference[k]!.map(Math.abs));
        expect(Math.max(...values.map((v, i) => Math.abs(v - reference[k]![i]!))) / scale, `${backend} output ${k}`).toBeLessThan(2e-5);
      });
      model.dispose();
    }
  });

  it('save as the stock classes: model.json says Conv2D, BatchNormalization and ReLU, and loads back with equal outputs', async () => {
    await tf.setBackend('cpu');
    const model = net(true);
    expect(model.getLayer('conv').getClassName()).toBe('Conv2D');
    expect(model.getLayer('bn').getClassName()).toBe('BatchNormalization');
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler((artifacts) => {
        saved = artifacts;
        return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
      }),
    );
    const classes = ((saved!.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers).map((l) => l.class_name);
    expect(classes).toEqual(['InputLayer', 'Conv2D', 'BatchNormalization', 'ReLU']);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const x = random([2, 6, 6, 5], 3);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });
});
