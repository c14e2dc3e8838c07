// Training a real ResNeXt (stem, max-pool, bottlenecks with grouped convs and BN, projection
// shortcuts, global pool, fc) on wasm, which lacks some gradient kernels out of the box
// (@resnext/layers adds them). (cpu is covered by one training step against wasm in
// @resnext/backends' spec suite; 50 epochs on tfjs-cpu take a minute.)
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@resnext/layers';
import { describe, expect, it } from 'vitest';
import type { ResNeXtConfig } from '../config.js';
import { createModel } from './create_model.js';

const SMALL: ResNeXtConfig = {
  name: 'resnext_small', block: 'bottleneck', blocksPerStage: [1, 1], cardinality: 4, baseWidth: 16,
  stagePlanes: [8, 16], expansion: 4, stem: 'imagenet', stemWidth: 16, defaultInputSize: 32, origin: 'test',
};

describe.each(['wasm'])('training a small ResNeXt on %s', (backend) => {
  it('fits a fixed batch: the loss falls at least 10x with SGD', async () => {
    await tf.setBackend(backend);
    const model = createModel(SMALL, { numClasses: 4, inputShape: [32, 32, 3] });
    // The model outputs logits (as torchvision's): cross-entropy from logits, not Keras' from probabilities.
    model.compile({ optimizer: tf.train.sgd(0.05), loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
    const x = tf.randomNormal([8, 32, 32, 3], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
    const history = await model.fit(x, y, { epochs: 50, batchSize: 8, verbose: 0 });
    const losses = history.history['loss'] as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[0]! / losses.at(-1)!).toBeGreaterThan(10);
    tf.dispose([x, y]);
    model.dispose();
  }, 120_000);
});
