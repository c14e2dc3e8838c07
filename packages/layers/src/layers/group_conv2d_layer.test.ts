// The GroupConv2D layer on the Node backends: against the op, the float64 naive loop and
// tf.layers.conv2d; argument errors; config round trip; initializer fan-in; leaks.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '../kernels/register_all.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError } from '@resnext/test-support';
import { bottleneckBlock } from '../blocks/bottleneck_block.js';
import { GroupConvError } from '../errors.js';
import { fusedGroupConv2d } from '../ops/group_conv2d.js';
import { naiveGroupConv, randomArray, type NaivePad } from '../testing/naive_group_conv.js';
import { GroupConv2D, groupConv2dLayer } from './group_conv2d_layer.js';
import type { GroupConv2DLayerArgs, GroupConv2DLayerPadding } from './group_conv2d_layer_args.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

interface LayerCase {
  label: string;
  xShape: [number, number, number, number];
  filters: number;
  kernelSize: [number, number];
  groups: number;
  strides: [number, number];
  padding: GroupConv2DLayerPadding;
  dilationRate: [number, number];
  activation: 'linear' | 'relu' | 'tanh' | 'elu';
}

const CASES: LayerCase[] = [
  { label: 'groups 1, 3x3 same, relu', xShape: [2, 6, 5, 3], filters: 4, kernelSize: [3, 3], groups: 1, strides: [1, 1], padding: 'same', dilationRate: [1, 1], activation: 'relu' },
  { label: '4 groups stride 2 explicit (1,1) on even input', xShape: [1, 8, 8, 8], filters: 12, kernelSize: [3, 3], groups: 4, strides: [2, 2], padding: [[1, 1], [1, 1]], dilationRate: [1, 1], activation: 'linear' },
  { label: '32 groups of 4 (ResNeXt), same, stride 2', xShape: [1, 7, 7, 128], filters: 128, kernelSize: [3, 3], groups: 32, strides: [2, 2], padding: 'same', dilationRate: [1, 1], activation: 'relu' },
  { label: '2 groups 1x3 valid dilation 2, tanh (not fused)', xShape: [2, 7, 9, 4], filters: 6, kernelSize: [1, 3], groups: 2, strides: [1, 1], padding: 'valid', dilationRate: [2, 2], activation: 'tanh' },
  { label: '3 groups 5x5 asymmetric explicit pad, elu', xShape: [1, 6, 7, 6], filters: 9, kernelSize: [5, 5], groups: 3, strides: [1, 2], padding: [[2, 1], [0, 2]], dilationRate: [1, 1], activation: 'elu' },
];

const ACTIVATIONS: Record<LayerCase['activation'], (v: number) => number> = {
  linear: (v) => v,
  relu: (v) => Math.max(0, v),
  tanh: Math.tanh,
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
};

function naivePad(p: GroupConv2DLayerPadding): NaivePad {
  return p === 'same' || p === 'valid' ? p : [[0, 0], p[0], p[1], [0, 0]];
}

/** A built layer of case `c` with deterministic weights; also returns those weights. */
function layerOf(c: LayerCase, seed: number) {
  const { label: _, ...args } = c;
  const layer = groupConv2dLayer(args);
  const filterShape: [number, number, number, number] = [...c.kernelSize, c.xShape[3] / c.groups, c.filters];
  const w = randomArray(size(filterShape), seed);
  const b = randomArray(c.filters, seed + 1);
  layer.apply(tfl.input({ batchShape: c.xShape }));
  layer.setWeights([tf.tensor(Float32Array.from(w), filterShape), tf.tensor1d(Float32Array.from(b))]);
  return { layer, w, b, filterShape };
}

for (const backend of ['cpu', 'wasm']) {
  describe(`GroupConv2D layer on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

    it.each(CASES.map((c) => [c.label, c] as const))('matches the naive loop and the op: %s', async (_, c) => {
      const { layer, w, b, filterShape } = layerOf(c, 5);
      const x = randomArray(size(c.xShape), 9);
      const ref = naiveGroupConv(x, w, { xShape: c.xShape, filterShape, strides: c.strides, pad: naivePad(c.padding), dilations: c.dilationRate, groups: c.groups });
      const act = ACTIVATIONS[c.activation];
      const expected = ref.y.map((v, i) => act(v + b[i % c.filters]!));
      const xt = tf.tensor4d(Float32Array.from(x), c.xShape);
      const y = layer.apply(xt) as tf.Tensor;
      expect(y.shape).toEqual(ref.shape);
      expect(layer.computeOutputShape(c.xShape)).toEqual(ref.shape);
      expect(relativeError(await y.data(), expected)).toBeLessThan(1e-5);
      if (c.activation === 'linear' || c.activation === 'relu') {
        const op = fusedGroupConv2d({
          x: xt,
          filter: tf.tensor(Float32Array.from(w), filterShape),
          bias: Float32Array.from(b),
          strides: c.strides,
          pad: naivePad(c.padding),
          groups: c.groups,
          dilations: c.dilationRate,
          activation: c.activation,
        });
        expect(Array.from(await y.data())).toEqual(Array.from(await op.data()));
      }
      layer.dispose();
      tf.dispose([xt, y]);
    });

    it('with groups 1 equals tf.layers.conv2d (same weights)', async () => {
      for (const c of [CASES[0]!, { ...CASES[3]!, groups: 1 }, { ...CASES[2]!, groups: 1, filters: 8, xShape: [2, 8, 6, 5] as LayerCase['xShape'] }]) {
        const { label: _, ...args } = c;
        const padding = c.padding === 'valid' ? 'valid' : 'same';
        const ours = groupConv2dLayer({ ...args, padding });
        const theirs = tfl.layers.conv2d({ ...args, padding });
        ours.apply(tfl.input({ batchShape: c.xShape }));
        theirs.apply(tfl.input({ batchShape: c.xShape }));
        theirs.setWeights(ours.getWeights());
        const x = tf.tensor4d(Float32Array.from(randomArray(size(c.xShape), 3)), c.xShape);
        const a = ours.apply(x) as tf.Tensor;
        const b = theirs.apply(x) as tf.Tensor;
        expect(a.shape).toEqual(b.shape);
        expect(relativeError(await a.data(), await b.data())).toBeLessThan(1e-6);
        tf.dispose([x, a, b]);
        ours.dispose();
        theirs.dispose();
      }
    });

    it('computes symbolic output shapes with an unknown batch', () => {
      const input = tfl.input({ shape: [9, 8, 16] });
      const cases: [Partial<GroupConv2DLayerArgs>, (number | null)[]][] = [
        [{ padding: 'same', strides: 2 }, [null, 5, 4, 8]],
        [{ padding: 'valid' }, [null, 7, 6, 8]],
        [{ padding: [[1, 1], [1, 1]], strides: 2 }, [null, 5, 4, 8]],
        [{ padding: [[0, 2], [3, 0]], dilationRate: 2 }, [null, 7, 7, 8]],
      ];
      for (const [args, shape] of cases) {
        const out = groupConv2dLayer({ filters: 8, kernelSize: 3, groups: 4, ...args }).apply(input) as tfl.SymbolicTensor;
        expect(out.shape).toEqual(shape);
      }
    });

    it('initializes the kernel like Keras: glorotUniform with fan-in per group', async () => {
      // Kernel [3, 3, 64/32 = 2, 64]: fanIn = 18, fanOut = 576, limit = sqrt(6 / 297) ≈ 0.142.
      // Had fan-in counted all 64 input channels, the limit would be sqrt(6 / 1152) ≈ 0.072.
      const layer = groupConv2dLayer({ filters: 64, kernelSize: 3, groups: 32 });
      layer.apply(tfl.input({ shape: [5, 5, 64] }));
      const [kernel, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor];
      expect(kernel.shape).toEqual([3, 3, 2, 64]);
      const values = await kernel.data();
      const limit = Math.sqrt(6 / (18 + 576));
      const maxAbs = Math.max(...Array.from(values, Math.abs));
      expect(maxAbs).toBeLessThanOrEqual(limit);
      expect(maxAbs).toBeGreaterThan(0.95 * limit);
      expect(Array.from(await bias.data()).every((v) => v === 0)).toBe(true);
      layer.dispose();
    });

    it('round-trips its config through fromConfig', () => {
      const layer = groupConv2dLayer({
        name: 'layer1.0.conv2',
        filters: 12,
        kernelSize: [3, 1],
        groups: 3,
        strides: [2, 1],
        padding: [[1, 1], [0, 0]],
        activation: 'elu',
        useBias: false,
        kernelInitializer: tfl.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'normal' }),
        biasInitializer: 'ones',
        kernelRegularizer: tfl.regularizers.l2({ l2: 1e-4 }),
        biasRegularizer: 'l1l2',
        kernelConstraint: tfl.constraints.maxNorm({ maxValue: 3 }),
        biasConstraint: 'nonNeg',
      });
      const config = layer.getConfig();
      expect(config).toMatchObject({
        name: 'layer1.0.conv2',
        filters: 12,
        kernelSize: [3, 1],
        groups: 3,
        strides: [2, 1],
        padding: [[1, 1], [0, 0]],
        dataFormat: 'channelsLast',
        dilationRate: [1, 1],
        activation: 'elu',
        useBias: false,
        kernelInitializer: { className: 'VarianceScaling', config: { scale: 2, mode: 'fanOut', distribution: 'normal' } },
        biasInitializer: { className: 'Ones' },
        kernelRegularizer: { className: 'L1L2', config: { l1: 0, l2: 1e-4 } },
        biasRegularizer: { className: 'L1L2', config: { l1: 0.01, l2: 0.01 } },
        activityRegularizer: null,
        kernelConstraint: { className: 'MaxNorm', config: { maxValue: 3 } },
        biasConstraint: { className: 'NonNeg' },
      });
      const copy = GroupConv2D.fromConfig(GroupConv2D, config);
      expect(copy).toBeInstanceOf(GroupConv2D);
      expect(copy.getConfig()).toEqual(config);
    });

    it('rejects bad arguments with errors naming the problem', () => {
      const base: GroupConv2DLayerArgs = { name: 'g', filters: 8, kernelSize: 3, groups: 4 };
      const bad: [Partial<GroupConv2DLayerArgs> | Record<string, unknown>, RegExp][] = [
        [{ filters: 10 }, /GroupConv2D 'g': filters \(10\) must be divisible by groups \(4\)/],
        [{ groups: 0 }, /groups must be a positive integer, got 0/],
        [{ groups: 2.5 }, /groups must be a positive integer, got 2.5/],
        [{ filters: -1 }, /filters must be a positive integer, got -1/],
        [{ dataFormat: 'channelsFirst' }, /dataFormat must be 'channelsLast' \(NHWC\); got 'channelsFirst'/],
        [{ kernelSize: [3, 0] }, /kernelSize must be a positive integer or two of them, got \[3,0\]/],
        [{ strides: 2, dilationRate: 2 }, /strides \[2, 2\] and dilationRate \[2, 2\] cannot both exceed 1/],
        [{ padding: 'full' }, /padding must be 'same', 'valid' or \[\[top, bottom\], \[left, right\]\]/],
        [{ padding: [[1, -1], [1, 1]] }, /padding must be/],
        [{ kernelInitializer: 'noSuchInit' }, /Unknown initializer 'noSuchInit'/],
        [{ activation: 'noSuchActivation' }, /Unknown activation 'noSuchActivation'/],
      ];
      for (const [args, message] of bad) {
        const create = () => groupConv2dLayer({ ...base, ...args });
        expect(create).toThrow(GroupConvError);
        expect(create).toThrow(message);
      }
      // Input channels are only known when the layer is built.
      const layer = groupConv2dLayer(base);
      expect(() => layer.apply(tfl.input({ shape: [5, 5, 6] }))).toThrow(/GroupConv2D 'g': input channels \(6\) must be divisible by groups \(4\)/);
      expect(() => groupConv2dLayer(base).apply(tfl.input({ shape: [5, 6] }))).toThrow(/input must be rank 4/);
    });

    it('does not leak tensors over 100 predict calls', () => {
      // Fused (relu) and unfused (tanh) activations, and a ResNeXt bottleneck built on the layer.
      const input = tfl.input({ shape: [6, 6, 8] });
      let output = groupConv2dLayer({ filters: 8, kernelSize: 3, groups: 4, padding: 'same', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
      output = groupConv2dLayer({ filters: 8, kernelSize: 3, groups: 2, padding: [[1, 1], [1, 1]], activation: 'tanh' }).apply(output) as tfl.SymbolicTensor;
      output = bottleneckBlock(output, { prefix: 'leak', planes: 4, stride: 2, cardinality: 4, baseWidth: 32 });
      const model = tfl.model({ inputs: input, outputs: output });
      const x = tf.randomNormal([2, 6, 6, 8]);
      (model.predict(x) as tf.Tensor).dispose(); // warm-up
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) (model.predict(x) as tf.Tensor).dispose();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      model.dispose();
    });
  });
}
