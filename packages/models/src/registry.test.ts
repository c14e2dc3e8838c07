import { describe, expect, it } from 'vitest';
import { BUILTIN_VARIANTS } from './variants.js';
import { ModelRegistry, ModelRegistryError, getModelConfig, listModels } from './registry.js';
import { modelSummary } from './summary.js';

describe('model registry', () => {
  it('lists the basic-block, torchvision, paper-family and CIFAR variants', () => {
    expect(listModels()).toEqual(BUILTIN_VARIANTS.map((c) => c.name));
    expect(listModels('resnext50_')).toEqual([
      'resnext50_32x4d',
      'resnext50_1x64d',
      'resnext50_2x40d',
      'resnext50_4x24d',
      'resnext50_8x14d',
    ]);
    expect(listModels((c) => c.stem === 'cifar')).toEqual(['resnext29_8x64d', 'resnext29_16x64d', 'resnext_fmnist']);
  });

  // The counts PyTorch gives for the same network (tools/bench/train_pytorch.py prints them).
  it('sizes resnext_fmnist as its PyTorch twin: 160,658 parameters and 21,847,936 MACs on 28x28x1', () => {
    const s = modelSummary('resnext_fmnist', { inputShape: [28, 28, 1], numClasses: 10 });
    expect(s.params).toBe(160_658);
    expect(s.macs).toBe(21_847_936);
    expect(s.perStage.map((p) => p.outputShape)).toEqual([
      [28, 28, 64],
      [14, 14, 128],
      [7, 7, 256],
    ]);
  });

  it('describes resnext50_32x4d as torchvision does', () => {
    const c = getModelConfig('resnext50_32x4d');
    expect(c).toMatchObject({ block: 'bottleneck', blocksPerStage: [3, 4, 6, 3], cardinality: 32, baseWidth: 4, expansion: 4 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('throws a typed error naming an unknown model', () => {
    expect(() => getModelConfig('resnet50')).toThrow(ModelRegistryError);
    expect(() => getModelConfig('resnet50')).toThrow(/Unknown model "resnet50".*resnext50_32x4d/);
    expect(() => getModelConfig('resnext50_32x4')).toThrow(/^Unknown model "resnext50_32x4"\. Did you mean "resnext50_32x4d"\? Known models: /);
    expect(() => getModelConfig('vgg16')).toThrow(/^Unknown model "vgg16"\. Known models: /);
  });

  it('refuses a duplicate name', () => {
    const registry = new ModelRegistry(BUILTIN_VARIANTS);
    expect(() => registry.register(getModelConfig('resnext18'))).toThrow(/already registered/);
  });
});
