// Residual blocks on the Node backends: layer names, shapes and parameter counts against
// torchvision's, and outputs against a float64 composition of the naive grouped-conv loop.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '../kernels/register_all.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError } from '@resnext/test-support';
import { GroupConvError } from '../errors.js';
import { naiveGroupConv, randomArray, type NaivePad } from '../testing/naive_group_conv.js';
import { basicBlock } from './basic_block.js';
import { bottleneckBlock } from './bottleneck_block.js';

type Shape4 = [number, number, number, number];
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const EPS = 1e-5;

/** Sets every weight of `model` to deterministic values; BN statistics far from 0/1 so BN matters. */
function setWeights(model: tfl.LayersModel, seed: number): Map<string, Float64Array> {
  const values = new Map<string, Float64Array>();
  for (const layer of model.layers) {
    const weights = layer.weights;
    if (weights.length === 0) continue;
    const arrays = weights.map((w, i) => {
      const r = randomArray(size(w.shape as number[]), seed++ * 7 + i);
      const role = w.originalName.split('/').pop()!;
      const v = role === 'gamma' || role === 'moving_variance' ? r.map((u) => 1 + 0.5 * u) : role === 'kernel' ? r : r.map((u) => 0.5 * u);
      values.set(w.originalName, v);
      return tf.tensor(Float32Array.from(v), w.shape as number[]);
    });
    layer.setWeights(arrays);
    tf.dispose(arrays);
  }
  return values;
}

/** float64 reference: tensors as flat arrays in NHWC with their shapes. */
interface T64 {
  v: Float64Array;
  shape: Shape4;
}

function makeRef(weights: Map<string, Float64Array>) {
  const get = (name: string) => {
    const w = weights.get(name);
    if (w === undefined) throw new Error(`no weight ${name}`);
    return w;
  };
  return {
    conv(x: T64, name: string, k: number, filters: number, stride: number, groups: number): T64 {
      const pad: NaivePad = k === 1 ? 'valid' : [[0, 0], [1, 1], [1, 1], [0, 0]]; // PyTorch padding=k//2
      const filterShape: Shape4 = [k, k, x.shape[3] / groups, filters];
      const r = naiveGroupConv(x.v, get(`${name}/kernel`), { xShape: x.shape, filterShape, strides: [stride, stride], pad, dilations: [1, 1], groups });
      return { v: r.y, shape: r.shape };
    },
    bn(x: T64, name: string): T64 {
      const [g, b, m, s] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((p) => get(`${name}/${p}`));
      const c = x.shape[3];
      return { v: x.v.map((v, i) => ((v - m![i % c]!) / Math.sqrt(s![i % c]! + EPS)) * g![i % c]! + b![i % c]!), shape: x.shape };
    },
    relu: (x: T64): T64 => ({ v: x.v.map((v) => Math.max(0, v)), shape: x.shape }),
    add: (a: T64, b: T64): T64 => ({ v: a.v.map((v, i) => v + b.v[i]!), shape: a.shape }),
  };
}

interface BottleneckCase {
  label: string;
  xShape: Shape4;
  planes: number;
  stride: number;
  cardinality: number;
  baseWidth: number;
}

const BOTTLENECK_CASES: BottleneckCase[] = [
  { label: 'stride 2, projection, 4 groups of 2, even input', xShape: [2, 8, 8, 16], planes: 16, stride: 2, cardinality: 4, baseWidth: 8 },
  { label: 'stride 2, projection, odd input', xShape: [1, 7, 9, 8], planes: 8, stride: 2, cardinality: 8, baseWidth: 16 },
  { label: 'stride 1, identity shortcut, 8 groups', xShape: [1, 6, 6, 32], planes: 8, stride: 1, cardinality: 8, baseWidth: 8 },
];

for (const backend of ['cpu', 'wasm']) {
  describe(`residual blocks on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

    it.each(BOTTLENECK_CASES.map((c) => [c.label, c] as const))('bottleneck matches a float64 composition: %s', async (_, c) => {
      const input = tfl.input({ batchShape: c.xShape });
      const model = tfl.model({ inputs: input, outputs: bottleneckBlock(input, { ...c, prefix: 'layer2.0' }) });
      const ref = makeRef(setWeights(model, 3));
      const x: T64 = { v: randomArray(size(c.xShape), 11), shape: c.xShape };
      const width = Math.floor((c.planes * c.baseWidth) / 64) * c.cardinality;
      let y = ref.relu(ref.bn(ref.conv(x, 'layer2.0.conv1', 1, width, 1, 1), 'layer2.0.bn1'));
      y = ref.relu(ref.bn(ref.conv(y, 'layer2.0.conv2', 3, width, c.stride, c.cardinality), 'layer2.0.bn2'));
      y = ref.bn(ref.conv(y, 'layer2.0.conv3', 1, c.planes * 4, 1, 1), 'layer2.0.bn3');
      const projected = c.stride !== 1 || c.xShape[3] !== c.planes * 4;
      const shortcut = projected ? ref.bn(ref.conv(x, 'layer2.0.downsample.0', 1, c.planes * 4, c.stride, 1), 'layer2.0.downsample.1') : x;
      const expected = ref.relu(ref.add(y, shortcut));
      const xt = tf.tensor4d(Float32Array.from(x.v), c.xShape);
      const out = model.predict(xt) as tf.Tensor;
      expect(out.shape).toEqual(expected.shape);
      expect(relativeError(await out.data(), expected.v)).toBeLessThan(1e-5);
      expect(model.layers.some((l) => l.name === 'layer2.0.downsample.0')).toBe(projected);
      tf.dispose([xt, out]);
      model.dispose();
    });

    it('basic block (expansion 0.5, stride 2) matches a float64 composition', async () => {
      const xShape: Shape4 = [2, 6, 6, 8];
      const input = tfl.input({ batchShape: xShape });
      const model = tfl.model({ inputs: input, outputs: basicBlock(input, { prefix: 'layer3.0', planes: 32, stride: 2 }) });
      const weights = setWeights(model, 5);
      const ref = makeRef(weights);
      const x: T64 = { v: randomArray(size(xShape), 13), shape: xShape };
      let y = ref.relu(ref.bn(ref.conv(x, 'layer3.0.conv1', 3, 32, 2, 1), 'layer3.0.bn1'));
      y = ref.bn(ref.conv(y, 'layer3.0.conv2', 3, 16, 1, 1), 'layer3.0.bn2');
      const shortcut = ref.bn(ref.conv(x, 'layer3.0.downsample.0', 1, 16, 2, 1), 'layer3.0.downsample.1');
      const expected = ref.relu(ref.add(y, shortcut));
      const xt = tf.tensor4d(Float32Array.from(x.v), xShape);
      const out = model.predict(xt) as tf.Tensor;
      expect(out.shape).toEqual([2, 3, 3, 16]);
      expect(relativeError(await out.data(), expected.v)).toBeLessThan(1e-5);
      // Keras 'same' padding would pad (0, 1) here and give a different answer: the test can tell.
      const sameY = naiveGroupConv(x.v, weights.get('layer3.0.conv1/kernel')!, {
        xShape, filterShape: [3, 3, 8, 32], strides: [2, 2], pad: 'same', dilations: [1, 1], groups: 1,
      });
      const torchY = ref.conv(x, 'layer3.0.conv1', 3, 32, 2, 1);
      expect(relativeError(sameY.y, torchY.v)).toBeGreaterThan(0.1);
      tf.dispose([xt, out]);
      model.dispose();
    });
  });
}

describe('residual block structure', () => {
  const names = (m: tfl.LayersModel) => m.layers.map((l) => l.name);
  const params = (m: tfl.LayersModel) => m.trainableWeights.reduce((s, w) => s + size(w.shape as number[]), 0);

  it('names a projecting bottleneck like torchvision and counts its parameters (resnext50_32x4d layer1.0)', () => {
    const input = tfl.input({ shape: [56, 56, 64] });
    const output = bottleneckBlock(input, { prefix: 'layer1.0', planes: 64, cardinality: 32, baseWidth: 4 });
    const model = tfl.model({ inputs: input, outputs: output });
    expect(output.shape).toEqual([null, 56, 56, 256]);
    expect(new Set(names(model))).toEqual(
      new Set([
        model.layers[0]!.name, // the input layer
        ...['conv1', 'bn1', 'relu1', 'conv2', 'bn2', 'relu2', 'conv3', 'bn3', 'downsample.0', 'downsample.1', 'add', 'relu'].map((k) => `layer1.0.${k}`),
      ]),
    );
    // torchvision: conv1 64·128, bn1 2·128, conv2 3·3·4·128, bn2 2·128, conv3 128·256, bn3 2·256,
    // downsample 64·256 + 2·256 = 63,488 trainable parameters.
    expect(params(model)).toBe(63_488);
    expect((model.getLayer('layer1.0.conv2').getWeights()[0]!).shape).toEqual([3, 3, 4, 128]);
    model.dispose();
  });

  it('keeps the identity shortcut where the shape is kept, and strides the 3x3 conv and the shortcut', () => {
    const input = tfl.input({ shape: [28, 28, 512] });
    const same = bottleneckBlock(input, { prefix: 'layer2.1', planes: 128, cardinality: 32, baseWidth: 4 });
    const m1 = tfl.model({ inputs: input, outputs: same });
    expect(names(m1).filter((n) => n.includes('downsample'))).toEqual([]);
    // resnext50_32x4d layer2.1: 512·256 + 3·3·8·256 + 256·512 + BN 2·(256 + 256 + 512) = 282,624.
    expect(params(m1)).toBe(282_624);
    const down = bottleneckBlock(input, { prefix: 'layer3.0', planes: 256, stride: 2, cardinality: 32, baseWidth: 4 });
    expect(down.shape).toEqual([null, 14, 14, 1024]);
    const m2 = tfl.model({ inputs: input, outputs: down });
    const strides = (n: string) => (m2.getLayer(n).getConfig() as { strides: number[] }).strides;
    expect(strides('layer3.0.conv1')).toEqual([1, 1]);
    expect(strides('layer3.0.conv2')).toEqual([2, 2]);
    expect(strides('layer3.0.downsample.0')).toEqual([2, 2]);
    m1.dispose();
    m2.dispose();
  });

  it('uses PyTorch BN settings, names overrides and zero-init of the last BN gamma', async () => {
    const input = tfl.input({ shape: [8, 8, 16] });
    const out = basicBlock(input, { prefix: 'b', planes: 32, names: { conv1: 'first_conv', add: 'sum' }, zeroInitResidual: true });
    const model = tfl.model({ inputs: input, outputs: out });
    // 16 → 32 → 16 channels at stride 1: identity shortcut.
    expect(names(model).slice(1)).toEqual(['first_conv', 'b.bn1', 'b.relu1', 'b.conv2', 'b.bn2', 'sum', 'b.relu']);
    const bn = model.getLayer('b.bn2').getConfig() as { epsilon: number; momentum: number; axis: number };
    expect([bn.epsilon, bn.momentum, bn.axis]).toEqual([1e-5, 0.9, -1]);
    expect(Array.from(await model.getLayer('b.bn2').getWeights()[0]!.data())).toEqual(new Array(16).fill(0));
    expect(Array.from(await model.getLayer('b.bn1').getWeights()[0]!.data())).toEqual(new Array(32).fill(1));
    expect(model.getLayer('first_conv').getConfig()).toMatchObject({ useBias: false, padding: [[1, 1], [1, 1]] });
    model.dispose();
  });

  it('initializes convolutions like torchvision (kaiming normal, fan-out): std √(2 / fan_out)', async () => {
    const input = tfl.input({ shape: [4, 4, 64] });
    const model = tfl.model({ inputs: input, outputs: bottleneckBlock(input, { prefix: 'p', planes: 64, cardinality: 32, baseWidth: 4 }) });
    const kernel = model.getLayer('p.conv3').getWeights()[0]!; // [1, 1, 128, 256]: fan_out = 256
    const v = await kernel.data();
    let sumSquares = 0;
    for (const w of v) sumSquares += w * w;
    const std = Math.sqrt(sumSquares / v.length);
    expect(Math.abs(std / Math.sqrt(2 / 256) - 1)).toBeLessThan(0.03);
    model.dispose();
  });

  it('rejects bad options and inputs', () => {
    const input = tfl.input({ shape: [8, 8, 16] });
    expect(() => bottleneckBlock(input, { prefix: 'x', planes: 8, cardinality: 4, baseWidth: 4 })).toThrow(/inner width .* is 0/);
    expect(() => bottleneckBlock(input, { prefix: 'x', planes: 8, stride: 0 })).toThrow(GroupConvError);
    expect(() => basicBlock(input, { prefix: 'x', planes: 7 })).toThrow(/planes × expansion must be a positive integer, got 7 × 0.5/);
    expect(() => basicBlock(tfl.input({ shape: [8, 16] }), { prefix: 'x', planes: 8 })).toThrow(/NHWC input with known channels/);
  });
});
