/**
 * The backend spec suite: everything a ResNeXt runs — its core ops, our grouped convolution
 * forward and backward, a small ResNeXt's forward pass and one training step — computed on the
 * backend under test and compared with the cpu backend. Shared by the Node and Chromium test files.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fusedGroupConv2d, groupConv2d } from '@resnext/layers';
import { createModel, type ResNeXtConfig } from '@resnext/models';
import { relativeError } from '@resnext/test-support';
import { describe, expect, it } from 'vitest';

const SMALL: ResNeXtConfig = {
  name: 'resnext_spec', block: 'bottleneck', blocksPerStage: [1, 1], cardinality: 4, baseWidth: 16,
  stagePlanes: [8, 16], expansion: 4, stem: 'imagenet', stemWidth: 16, defaultInputSize: 32, origin: 'backend spec',
};

const seeded = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** Named computations returning tensors; each runs inside tf.tidy. */
const OPS: Record<string, () => tf.Tensor | tf.Tensor[]> = {
  'conv2d 7x7/2 explicit pad': () => tf.conv2d(seeded([1, 17, 15, 3], 1) as tf.Tensor4D, seeded([7, 7, 3, 8], 2) as tf.Tensor4D, 2, [[0, 0], [3, 3], [3, 3], [0, 0]]),
  'fused conv2d + bias + relu': () =>
    tf.fused.conv2d({ x: seeded([2, 9, 9, 8], 3) as tf.Tensor4D, filter: seeded([1, 1, 8, 16], 4) as tf.Tensor4D, strides: 1, pad: 'valid', bias: seeded([16], 5), activation: 'relu' }),
  'maxPool 3x3/2': () => tf.maxPool(seeded([1, 10, 10, 4], 6) as tf.Tensor4D, 3, 2, 'valid'),
  'batchNorm': () => tf.batchNorm(seeded([2, 5, 5, 6], 7), seeded([6], 8), tf.add(tf.abs(seeded([6], 9)), 0.5), seeded([6], 10), seeded([6], 11), 1e-5),
  'add + relu': () => tf.relu(tf.add(seeded([2, 4, 4, 8], 12), seeded([2, 4, 4, 8], 13))),
  'global average (mean)': () => tf.mean(seeded([2, 7, 7, 32], 14), [1, 2]),
  'matMul (fc)': () => tf.matMul(seeded([4, 64], 15), seeded([64, 10], 16)),
  'softmax': () => tf.softmax(seeded([4, 10], 17)),
  'fused conv2d 1x1 stride 2 + bias + relu, odd sizes, batch 3': () =>
    tf.fused.conv2d({ x: seeded([3, 11, 9, 40], 23) as tf.Tensor4D, filter: seeded([1, 1, 40, 28], 24) as tf.Tensor4D, strides: 2, pad: 'valid', bias: seeded([28], 25), activation: 'relu' }),
  'conv2d 1x1 (no bias), ResNeXt-like 256 -> 128': () => tf.conv2d(seeded([1, 14, 14, 256], 26) as tf.Tensor4D, seeded([1, 1, 256, 128], 27) as tf.Tensor4D, 1, 'valid'),
  'groupConv2d forward': () => groupConv2d(seeded([2, 9, 9, 32], 18) as tf.Tensor4D, seeded([3, 3, 4, 32], 19) as tf.Tensor4D, 2, [[0, 0], [1, 1], [1, 1], [0, 0]], 8),
  'groupConv2d forward, 32 groups of 4, 15 rows, batch 2': () => groupConv2d(seeded([2, 15, 13, 128], 28) as tf.Tensor4D, seeded([3, 3, 4, 128], 29) as tf.Tensor4D, 1, 'same', 32),
  'groupConv2d forward, 32 groups of 8, stride 2': () => groupConv2d(seeded([1, 15, 15, 256], 31) as tf.Tensor4D, seeded([3, 3, 8, 256], 32) as tf.Tensor4D, 2, 'same', 32),
  // More weights than input: on wasm with relaxed SIMD (where our kernel takes 1x1 convolutions of
  // >= 128 channels) threads split it by 24-channel chunks (9 here, the last 8 wide), not rows.
  'fused 1x1 conv + bias + residual + relu, split by channels': () =>
    fusedGroupConv2d({
      x: seeded([1, 3, 5, 128], 33) as tf.Tensor4D,
      filter: seeded([1, 1, 128, 200], 34) as tf.Tensor4D,
      bias: seeded([200], 35) as tf.Tensor1D,
      residual: seeded([1, 3, 5, 200], 36) as tf.Tensor4D,
      groups: 1,
      strides: 1,
      pad: 'valid',
      activation: 'relu',
    }),
  'groupConv2d gradients': () => {
    const x = seeded([2, 7, 7, 16], 20) as tf.Tensor4D;
    const w = seeded([3, 3, 4, 16], 21) as tf.Tensor4D;
    const dy = seeded([2, 7, 7, 16], 22);
    return tf.grads((a: tf.Tensor, b: tf.Tensor) => groupConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', 4))([x, w], dy);
  },
};

async function values(result: tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  const list = Array.isArray(result) ? result : [result];
  const out = await Promise.all(list.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(list);
  return out;
}


/**
 * Fixed starting weights for the small ResNeXt: its initializers' constants (batch-norm gammas,
 * betas, statistics) as they are, every kernel replaced by a seeded He-normal draw and the
 * classifier's bias by a seeded small one. A
 * training step passes through ReLUs and max pooling, which are discontinuous: a pre-activation
 * within rounding of zero, or a pooling window with two maxima within rounding, goes one way on
 * one backend and the other way on another, and moves a few updated weights by far more than
 * rounding (measured with unseeded weights: 1 run in 48, a batch-norm beta 2e-2 apart while 1 and
 * 2 threads agreed bit for bit). Seeded weights make the comparison the same on every run.
 */
function seededWeights(model: tfl.LayersModel): tf.Tensor[] {
  return model.getWeights().map((w, i) => {
    // The classifier's bias is drawn at random too (uniform, as torchvision's Linear).
    if (/\/bias(_\d+)?$/.test(model.weights[i]!.name)) return tf.tidy(() => tf.mul(seeded(w.shape, 1000 + i), 0.05));
    if (w.rank < 2) return w.clone();
    const fanIn = w.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    return tf.tidy(() => tf.mul(seeded(w.shape, 1000 + i), Math.sqrt(2 / fanIn)));
  });
}

/** The small ResNeXt compiled for one SGD step on a batch of 4 images, its weights set to `weights`. */
function smallModel(weights: tf.Tensor[]): tfl.LayersModel {
  const model = createModel(SMALL, { numClasses: 4, inputShape: [32, 32, 3] });
  model.setWeights(weights);
  model.compile({ optimizer: tf.train.sgd(0.1), loss: (t: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(t, p) });
  return model;
}

/** A training batch: 4 seeded images, one of each class. */
const trainingBatch = (): [tf.Tensor, tf.Tensor] => [seeded([4, 32, 32, 3], 30), tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 4)];

/** One SGD step of the small ResNeXt from fixed weights: the loss before and the updated weights. */
async function trainStep(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<Float32Array[]> {
  const loss = (await model.trainOnBatch(x, y)) as number;
  // getWeights() returns the variables' own tensors: read clones, which values() disposes.
  return [Float32Array.of(loss), ...(await values(model.getWeights().map((w) => w.clone())))];
}

/**
 * Registers the suite for a backend: `activate` makes it the active backend (and may be called
 * more than once). Tolerance: relative to the largest reference value.
 */
export function backendSpec(label: string, activate: () => Promise<unknown>, tolerance = 1e-4): void {
  describe(`ResNeXt on ${label} equals cpu`, () => {
    it.each(Object.keys(OPS))('%s', async (name) => {
      await tf.setBackend('cpu');
      const expected = await values(tf.tidy(OPS[name]!));
      await activate();
      const got = await values(tf.tidy(OPS[name]!));
      expect(got.length).toBe(expected.length);
      got.forEach((g, i) => expect(relativeError(g, expected[i]!), `${name} output ${i}`).toBeLessThan(tolerance));
    });

    it('a small ResNeXt: forward pass, and one training step (loss and every updated weight)', async () => {
      await tf.setBackend('cpu');
      const init = createModel(SMALL, { numClasses: 4, inputShape: [32, 32, 3] });
      const weights = seededWeights(init);
      init.dispose();
      const reference = smallModel(weights);
      const [x, y] = trainingBatch();
      const forwardCpu = await values(tf.tidy(() => reference.predict(x) as tf.Tensor));
      const stepCpu = await trainStep(reference, x, y);

      await activate();
      const model = smallModel(weights);
      const forward = await values(tf.tidy(() => model.predict(x) as tf.Tensor));
      expect(relativeError(forward[0]!, forwardCpu[0]!)).toBeLessThan(tolerance);
      const step = await trainStep(model, x, y);
      // Every output beyond the tolerance, by name, so that a failure says which weights and how far.
      const names = ['loss', ...model.weights.map((w) => w.name)];
      const beyond = step.map((v, i) => [names[i], relativeError(v, stepCpu[i]!)] as const).filter(([, e]) => !(e < tolerance * 10));
      expect(beyond, `training step outputs beyond ${tolerance * 10}`).toEqual([]);
      tf.dispose([...weights, x, y]);
      reference.dispose();
      model.dispose();
    });
  });
}

/**
 * Registers a check that two setups of one backend (e.g. wasm on 1 and on 2 threads, where our
 * kernels split each call between threads) give bit-identical results on every op of the suite,
 * and that repeated calls on the second leak no tensors.
 */
export function identicalResultsSpec(label: string, first: () => Promise<unknown>, second: () => Promise<unknown>): void {
  describe(label, () => {
    it('every op gives bit-identical results on both', async () => {
      await first();
      const a = await Promise.all(Object.values(OPS).map((op) => values(tf.tidy(op))));
      await second();
      const b = await Promise.all(Object.values(OPS).map((op) => values(tf.tidy(op))));
      const names = Object.keys(OPS);
      a.forEach((outputs, i) => outputs.forEach((out, j) => expect(b[i]![j], `${names[i]} output ${j}`).toEqual(out)));
    });

    it('one training step of the small ResNeXt gives bit-identical losses and weights on both', async () => {
      const stepOn = async (activate: () => Promise<unknown>) => {
        await activate();
        const init = createModel(SMALL, { numClasses: 4, inputShape: [32, 32, 3] });
        const weights = seededWeights(init);
        init.dispose();
        const model = smallModel(weights);
        const [x, y] = trainingBatch();
        const step = await trainStep(model, x, y);
        tf.dispose([...weights, x, y]);
        model.dispose();
        return step;
      };
      const a = await stepOn(first);
      const b = await stepOn(second);
      a.forEach((out, i) => expect(b[i], `training step output ${i}`).toEqual(out));
    });

    it('leaks no tensors over 100 calls of the convolutions', async () => {
      await second();
      const convs = Object.keys(OPS).filter((name) => name.includes('onv2d'));
      const once = () => {
        for (const name of convs) tf.dispose(tf.tidy(OPS[name]!));
      };
      once();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) once();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
