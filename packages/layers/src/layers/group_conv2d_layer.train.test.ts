// Training smoke test: model.fit through GroupConv2D layers and a ResNeXt bottleneck.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '../kernels/register_all.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { bottleneckBlock } from '../blocks/bottleneck_block.js';
import { randomArray } from '../testing/naive_group_conv.js';
import { groupConv2dLayer } from './group_conv2d_layer.js';

/** Grouped stem (relu, fused) → ResNeXt bottleneck (4 groups, stride 2) → grouped conv (tanh) → pool → dense. */
function tinyNet(): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 4] });
  let x = groupConv2dLayer({ name: 'stem', filters: 8, kernelSize: 3, groups: 2, padding: 'same', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  x = bottleneckBlock(x, { prefix: 'block', planes: 4, stride: 2, cardinality: 4, baseWidth: 32 });
  x = groupConv2dLayer({ name: 'mix', filters: 16, kernelSize: 1, groups: 4, activation: 'tanh' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ name: 'fc', units: 2 }).apply(x) as tfl.SymbolicTensor });
}

for (const backend of ['cpu', 'wasm']) {
  describe(`training through GroupConv2D on ${backend}`, () => {
    it('fits a small random dataset with model.fit: the loss falls at least 10x', async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const n = 16;
      const x = tf.tensor4d(Float32Array.from(randomArray(n * 6 * 6 * 4, 1)), [n, 6, 6, 4]);
      const y = tf.tensor2d(Float32Array.from(randomArray(n * 2, 2)), [n, 2]);
      const model = tinyNet();
      const stemBefore = model.getLayer('stem').getWeights()[0]!.clone();
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
      const history = await model.fit(x, y, { epochs: 60, batchSize: n, verbose: 0 });
      const loss = history.history['loss'] as number[];
      expect(loss[loss.length - 1]!).toBeLessThan(loss[0]! / 10);
      // Gradients reach the grouped kernels: the stem's kernel (norm ≈ 1.7 at init; it moves by ≈ 1.3) moved.
      const moved = tf.tidy(() => tf.norm(tf.sub(model.getLayer('stem').getWeights()[0]!, stemBefore)).dataSync()[0]!);
      expect(moved).toBeGreaterThan(0.1);
      tf.dispose([x, y, stemBefore]);
      model.dispose();
    });
  });
}
