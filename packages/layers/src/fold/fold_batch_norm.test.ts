// BatchNormalization folding: the folded model computes what the original computes at inference.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '../kernels/register_all.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError } from '@resnext/test-support';
import { basicBlock } from '../blocks/basic_block.js';
import { batchNorm } from '../blocks/block_layers.js';
import { bottleneckBlock } from '../blocks/bottleneck_block.js';
import { groupConv2dLayer } from '../layers/group_conv2d_layer.js';
import { randomArray } from '../testing/naive_group_conv.js';
import { foldBatchNorm } from './fold_batch_norm.js';

const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;

/**
 * A small ResNeXt: stem conv + BN + ReLU, two bottlenecks (4 groups, projection, stride 2), a
 * basic block, a biased GroupConv2D + BN, and two convolutions that must not be folded: one whose
 * output is also read by another layer, one with a ReLU before its BN.
 */
function tinyResNeXt(): tfl.LayersModel {
  const input = tfl.input({ shape: [10, 10, 3] });
  let x = apply(tfl.layers.conv2d({ name: 'conv1', filters: 16, kernelSize: 3, padding: 'same', useBias: false }), input);
  x = apply(tfl.layers.reLU({ name: 'relu' }), apply(batchNorm('bn1'), x));
  x = bottleneckBlock(x, { prefix: 'layer1.0', planes: 8, cardinality: 4, baseWidth: 16 });
  x = bottleneckBlock(x, { prefix: 'layer2.0', planes: 8, stride: 2, cardinality: 4, baseWidth: 16 });
  x = basicBlock(x, { prefix: 'layer3.0', planes: 32 });
  x = apply(batchNorm('head.bn'), apply(groupConv2dLayer({ name: 'head.conv', filters: 16, kernelSize: 3, groups: 4, padding: 'same' }), x));
  const shared = apply(tfl.layers.conv2d({ name: 'shared.conv', filters: 16, kernelSize: 1 }), x);
  x = apply(tfl.layers.add({ name: 'shared.add' }), [apply(batchNorm('shared.bn'), shared), shared]);
  const activated = apply(groupConv2dLayer({ name: 'relu.conv', filters: 16, kernelSize: 1, groups: 2, activation: 'relu' }), x);
  const features = apply(batchNorm('relu.bn'), activated);
  const logits = apply(tfl.layers.dense({ name: 'fc', units: 5 }), apply(tfl.layers.globalAveragePooling2d({ name: 'pool' }), features));
  return tfl.model({ inputs: input, outputs: [features, logits] });
}

/** Random, far-from-identity BN statistics and parameters (the initial ones would fold trivially). */
function randomizeBatchNorms(model: tfl.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const values = layer.weights.map((w, i) => {
      const r = randomArray(w.shape[0]!, seed++ * 4 + i);
      const role = w.originalName.split('/').pop();
      const v = role === 'gamma' ? r.map((u) => 1 + 0.5 * u) : role === 'moving_variance' ? r.map((u) => 1.25 + 0.75 * u) : r.map((u) => 0.5 * u);
      return tf.tensor1d(Float32Array.from(v));
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

const bnNames = (m: tfl.LayersModel) => m.layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => l.name);

for (const backend of ['cpu', 'wasm']) {
  describe(`foldBatchNorm on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

    it('folds conv → BN pairs of a small ResNeXt; outputs match within 1e-5', async () => {
      const model = tinyResNeXt();
      randomizeBatchNorms(model, 1);
      const before = tf.memory().numTensors;
      const folded = foldBatchNorm(model);
      // Nothing but the new model's weights is left behind.
      expect(tf.memory().numTensors - before).toBe(folded.weights.length);
      expect(bnNames(folded)).toEqual(['shared.bn', 'relu.bn']);
      expect(bnNames(model)).toHaveLength(15); // the input model is untouched
      for (const name of ['conv1', 'layer1.0.conv2', 'layer1.0.downsample.0', 'layer3.0.conv1', 'head.conv']) {
        const layer = folded.getLayer(name);
        expect(layer.getConfig()['useBias']).toBe(true);
        expect(layer.getClassName()).toBe(model.getLayer(name).getClassName());
      }
      // The ReLU after a folded conv → BN is fused into the convolution.
      expect(folded.layers.some((l) => l.name === 'layer1.0.relu1')).toBe(false);
      expect(folded.getLayer('layer1.0.conv1').getConfig()['activation']).toBe('relu');
      // Each block's end (conv → BN, + shortcut, ReLU) is one ResidualGroupConv2D on [branch input, shortcut].
      const ends: [string, string[]][] = [
        ['layer1.0.conv3', ['layer1.0.conv2', 'layer1.0.downsample.0']],
        ['layer2.0.conv3', ['layer2.0.conv2', 'layer2.0.downsample.0']],
        ['layer3.0.conv2', ['layer3.0.conv1', 'layer3.0.downsample.0']], // a basic block
      ];
      for (const [name, inputs] of ends) {
        const layer = folded.getLayer(name);
        expect(layer.getClassName()).toBe('ResidualGroupConv2D');
        expect(layer.getConfig()['activation']).toBe('relu');
        expect(layer.inboundNodes[0]!.inboundLayers.map((l) => l.name)).toEqual(inputs);
      }
      for (const gone of ['layer1.0.add', 'layer1.0.relu', 'layer2.0.add', 'layer2.0.relu', 'layer3.0.add', 'layer3.0.relu']) {
        expect(folded.layers.some((l) => l.name === gone)).toBe(false);
      }
      // An Add without a ReLU after it stays.
      expect(folded.getLayer('shared.add').getClassName()).toBe('Add');
      const x = tf.tensor4d(Float32Array.from(randomArray(2 * 10 * 10 * 3, 5)), [2, 10, 10, 3]);
      const expected = model.predict(x) as tf.Tensor[];
      const actual = folded.predict(x) as tf.Tensor[];
      for (let i = 0; i < 2; i++) {
        expect(actual[i]!.shape).toEqual(expected[i]!.shape);
        expect(relativeError(await actual[i]!.data(), await expected[i]!.data())).toBeLessThanOrEqual(1e-5);
      }
      tf.dispose([x, ...expected, ...actual]);
      folded.dispose();
      model.dispose();
    });

    it('saves and reloads a folded model with its fused block ends, outputs unchanged', async () => {
      const model = tinyResNeXt();
      randomizeBatchNorms(model, 3);
      const folded = foldBatchNorm(model);
      let artifacts: tf.io.ModelArtifacts | undefined;
      await folded.save(
        tf.io.withSaveHandler((a) => {
          artifacts = a;
          return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
        }),
      );
      const reloaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
      expect(reloaded.getLayer('layer1.0.conv3').getClassName()).toBe('ResidualGroupConv2D');
      const x = tf.tensor4d(Float32Array.from(randomArray(10 * 10 * 3, 6)), [1, 10, 10, 3]);
      const expected = folded.predict(x) as tf.Tensor[];
      const actual = reloaded.predict(x) as tf.Tensor[];
      for (let i = 0; i < 2; i++) expect(await actual[i]!.data()).toEqual(await expected[i]!.data());
      tf.dispose([x, ...expected, ...actual]);
      reloaded.dispose();
      folded.dispose();
      model.dispose();
    });

    it('folds a Sequential model, keeping the BN after an activation', async () => {
      const model = tfl.sequential({
        layers: [
          groupConv2dLayer({ inputShape: [6, 6, 4], filters: 8, kernelSize: 3, groups: 2, padding: [[1, 1], [1, 1]], useBias: false }),
          tfl.layers.batchNormalization({ epsilon: 0.25 }), // large, so a fold that ignored epsilon would fail
          tfl.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'relu' }),
          tfl.layers.batchNormalization({ epsilon: 1e-3 }),
        ],
      });
      randomizeBatchNorms(model, 7);
      const folded = foldBatchNorm(model);
      expect(folded.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'GroupConv2D', 'Conv2D', 'BatchNormalization']);
      const x = tf.tensor4d(Float32Array.from(randomArray(3 * 6 * 6 * 4, 9)), [3, 6, 6, 4]);
      const expected = model.predict(x) as tf.Tensor;
      const actual = folded.predict(x) as tf.Tensor;
      expect(relativeError(await actual.data(), await expected.data())).toBeLessThanOrEqual(1e-5);
      tf.dispose([x, expected, actual]);
      folded.dispose();
      model.dispose();
    });
  });
}
