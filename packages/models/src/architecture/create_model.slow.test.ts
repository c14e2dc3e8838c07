import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@resnext/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { listModels } from '../registry.js';
import { modelSummary } from '../summary.js';
import { createModel } from './create_model.js';
import { ModelOptionsError } from './model_options.js';

const trainableParams = (m: { trainableWeights: { shape: (number | null)[] }[] }) =>
  m.trainableWeights.reduce((s, w) => s + w.shape.reduce<number>((a, b) => a * (b ?? 0), 1), 0);

describe('createModel', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  // One build per variant (building initializes every weight, seconds for the largest): its
  // parameter count must equal modelSummary's, and a forward pass on a reduced input must give
  // the same logits on cpu and wasm (the values against torchvision are in @resnext/pretrained).
  it.each(listModels())('%s: parameters equal modelSummary; cpu and wasm forward agree', async (name) => {
    await tf.setBackend('cpu');
    const cifar = name.startsWith('resnext29');
    // CIFAR variants run at full width on their 32x32 scale (5–11 GMACs): 8x8 keeps them quick.
    const size = cifar ? 8 : 32;
    const options = { numClasses: cifar ? 10 : 1000, inputShape: [size, size, 3] as [number, number, number] };
    const model = createModel(name, options);
    expect(trainableParams(model)).toBe(modelSummary(name, options).params);
    const x = tf.randomNormal([1, size, size, 3], 0, 1, 'float32', 1);
    const onCpu = tf.tidy(() => model.predict(x) as tf.Tensor);
    expect(onCpu.shape).toEqual([1, options.numClasses]);
    const cpuValues = await onCpu.data();
    await tf.setBackend('wasm');
    const onWasm = tf.tidy(() => model.predict(x) as tf.Tensor);
    const wasmValues = await onWasm.data();
    const scale = Math.max(...cpuValues.map(Math.abs));
    const diff = Math.max(...wasmValues.map((v, i) => Math.abs(v - cpuValues[i]!)));
    expect(cpuValues.every(Number.isFinite) && scale > 0).toBe(true);
    expect(diff / scale).toBeLessThan(1e-4);
    tf.dispose([x, onCpu, onWasm]);
    model.dispose();
    await tf.setBackend('cpu');
  });

  it('names layers as torchvision state-dict modules', () => {
    const model = createModel('resnext50_32x4d', { inputShape: [64, 64, 3] });
    const names = new Set(model.layers.map((l) => l.name));
    for (const n of ['conv1', 'bn1', 'layer1.0.conv1', 'layer1.0.bn3', 'layer1.0.downsample.0', 'layer1.0.downsample.1', 'layer2.0.conv2', 'layer4.2.conv3', 'fc']) {
      expect(names.has(n), n).toBe(true);
    }
    expect(names.has('layer1.1.downsample.0')).toBe(false);
    expect(model.getLayer('layer2.0.conv2').getWeights()[0]!.shape).toEqual([3, 3, 8, 256]); // 32 groups of 8 (width 256)
    model.dispose();
  });

  it('gives the four stage outputs at strides 4, 8, 16, 32 in features mode', () => {
    const model = createModel('resnext50_32x4d', { features: true, inputShape: [null, null, 3] });
    const outs = tf.tidy(() => (model.predict(tf.zeros([1, 64, 32, 3])) as tf.Tensor[]).map((t) => t.shape));
    expect(outs).toEqual([
      [1, 16, 8, 256],
      [1, 8, 4, 512],
      [1, 4, 2, 1024],
      [1, 2, 1, 2048],
    ]);
    model.dispose();
  });

  it('follows includeTop / pooling / channels / dropRate / zeroInitResidual', () => {
    const pooled = createModel('resnext18', { includeTop: false, pooling: 'max', inputShape: [32, 32, 1] });
    expect(pooled.outputs[0]!.shape).toEqual([null, 512]);
    expect(pooled.getLayer('conv1').getWeights()[0]!.shape).toEqual([7, 7, 1, 64]);
    pooled.dispose();
    const zero = createModel('resnext29_8x64d', { numClasses: 10, zeroInitResidual: true, dropRate: 0.2 });
    expect(Array.from(zero.getLayer('layer1.0.bn3').getWeights()[0]!.dataSync()).every((g) => g === 0)).toBe(true);
    expect(zero.getLayer('dropout').getConfig()['rate']).toBe(0.2);
    zero.dispose();
    expect(() => createModel('resnext18', { numClasses: 0 })).toThrow(ModelOptionsError);
    expect(() => createModel('resnext18', { inputShape: [32, 32] as unknown as [number, number, number] })).toThrow(/inputShape must be/);
  });

  it('initializes like torchvision: Kaiming-normal fan-out convs (std √(2/fan_out))', () => {
    const model = createModel('resnext50_32x4d', { inputShape: [64, 64, 3] });
    const w = model.getLayer('layer3.0.conv1').getWeights()[0]!; // 1x1, 1024 → 512 (width ⌊256·4/64⌋·32): fan_out = 512
    const values = w.dataSync();
    const std = Math.sqrt(Array.from(values).reduce((s, v) => s + v * v, 0) / values.length);
    expect(Math.abs(std / Math.sqrt(2 / 512) - 1)).toBeLessThan(0.03);
    model.dispose();
  });
});
