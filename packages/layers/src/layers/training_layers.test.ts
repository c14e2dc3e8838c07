// The layers residual blocks are built from behave as tfjs-layers' own BatchNormalization and
// Conv2D (same outputs, gradients and model.json) while training faster on wasm; the BN moving
// averages follow torch.nn.BatchNorm2d (unbiased batch variance), checked against float64 sums.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import '../kernels/register_all.js';
import { relativeError } from '@resnext/test-support';
import { randomArray } from '../testing/naive_group_conv.js';
import { torchRunningStatistics } from '../testing/torch_batch_norm_reference.js';
import { batchNorm, conv1x1 } from '../blocks/block_layers.js';
import { TrainingBatchNormalization } from './training_batch_norm.js';
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

const trainInput = () => random([3, 6, 6, 5], 1, 1, 0.5);

/** One training-mode pass: output and gradients of Σ y·w over every weight. */
async function trainStep(model: tfl.LayersModel): Promise<Float32Array[]> {
  const x = trainInput();
  const w = random([3, 3, 3, 8], 2);
  const variables = model.trainableWeights.map((v) => v.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, w)), variables);
  const out = [await value.data<'float32'>(), ...(await Promise.all(variables.map((v) => grads[v.name]!.data<'float32'>())))];
  tf.dispose([x, w, value, ...Object.values(grads)]);
  return out;
}

describe('batchNorm, conv1x1 and TrainingReLU layers', () => {
  it("train like tfjs-layers' BatchNormalization, Conv2D and ReLU: loss and gradients; moving averages as PyTorch's (wasm and cpu)", async () => {
    await tf.setBackend('cpu');
    const stock = net(false);
    const reference = await trainStep(stock);
    stock.dispose();
    for (const backend of ['wasm', 'cpu']) {
      expect(await tf.setBackend(backend)).toBe(true);
      const model = net(true);
      const bn = model.getLayer('bn') as TrainingBatchNormalization;
      const [oldMean, oldVariance] = bn.getWeights().slice(2).map((t) => t.dataSync() as Float32Array);
      const z = tf.tidy(() => (model.getLayer('conv').apply(trainInput()) as tf.Tensor).dataSync());
      const expected = torchRunningStatistics(z, oldMean!, oldVariance!);
      const before = tf.memory().numTensors;
      const ours = await trainStep(model);
      expect(tf.memory().numTensors, `${backend}: no leak`).toBe(before);
      expect(ours.length).toBe(reference.length);
      ours.forEach((values, k) => expect(relativeError(values, reference[k]!), `${backend} output ${k}`).toBeLessThan(2e-5));
      const moving = bn.getWeights().slice(2).map((t) => t.dataSync());
      expect(relativeError(moving[0]!, expected.mean), `${backend} moving mean`).toBeLessThan(2e-6);
      expect(relativeError(moving[1]!, expected.variance), `${backend} moving variance`).toBeLessThan(2e-6);
      expect(bn.numBatchesTracked).toBe(1);
      model.dispose();
    }
  });

  it('counts training-mode calls only in numBatchesTracked, and refuses to train on one value per channel', async () => {
    await tf.setBackend('cpu');
    const model = net(true);
    const bn = model.getLayer('bn') as TrainingBatchNormalization;
    const x = trainInput();
    tf.dispose([model.apply(x, { training: true }) as tf.Tensor, model.apply(x, { training: true }) as tf.Tensor, model.predict(x)]);
    expect(bn.numBatchesTracked).toBe(2);
    const single = tf.zeros([1, 1, 1, 8]);
    expect(() => bn.apply(single, { training: true })).toThrow(/more than 1 value per channel/);
    expect(bn.numBatchesTracked).toBe(2);
    tf.dispose([x, single]);
    model.dispose();
  });

  it('updates the moving variance with the unbiased batch variance also with the channels on axis 1 (the unfused path)', async () => {
    await tf.setBackend('cpu');
    const bn = new TrainingBatchNormalization({ axis: 1, momentum: 0.9, epsilon: 1e-5 });
    const x = random([2, 3, 4, 5], 12, 2, 1); // channels on axis 1: n = 2·4·5 = 40 values each
    tf.dispose(bn.apply(x, { training: true }) as tf.Tensor);
    const channelsLast = tf.tidy(() => tf.transpose(x, [0, 2, 3, 1]).dataSync());
    const expected = torchRunningStatistics(channelsLast, [0, 0, 0], [1, 1, 1]);
    expect(relativeError(bn.getWeights()[2]!.dataSync(), expected.mean)).toBeLessThan(2e-6);
    expect(relativeError(bn.getWeights()[3]!.dataSync(), expected.variance)).toBeLessThan(2e-6);
    x.dispose();
    bn.dispose();
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
