import { describe, expect, it } from 'vitest';
import { getModelConfig, listModels } from './registry.js';
import { modelSummary } from './summary.js';

describe('modelSummary', () => {
  // Trainable parameters as PyTorch counts them (torchvision's model cards; PyTorch's count of the same basic-block networks for 18/34).
  it.each([
    ['resnext18', 22_678_824],
    ['resnext34', 42_891_432],
    ['resnext50_32x4d', 25_028_904],
    ['resnext101_32x4d', 44_177_704],
    ['resnext152_32x4d', 59_951_400],
    ['resnext101_32x8d', 88_791_336],
    ['resnext101_64x4d', 83_455_272],
  ])('%s has %i parameters', (name, params) => {
    expect(modelSummary(name).params).toBe(params);
  });

  // torchvision's published GFLOPS (multiply-accumulates) at 224², within 0.5%.
  it.each([
    ['resnext50_32x4d', 4.23e9],
    ['resnext101_32x8d', 16.41e9],
    ['resnext101_64x4d', 15.46e9],
  ])('%s has %d MACs at 224²', (name, macs) => {
    expect(Math.abs(modelSummary(name).macs / macs - 1)).toBeLessThan(0.005);
  });

  it("keeps the paper's complexity-preserving ResNeXt-50 family within 3% of 25.0 M params and 4.2 GMACs", () => {
    for (const name of listModels((c) => c.name.startsWith('resnext50_'))) {
      const s = modelSummary(name);
      expect(Math.abs(s.params / 25.0e6 - 1), name).toBeLessThan(0.03);
      expect(Math.abs(s.macs / 4.2e9 - 1), name).toBeLessThan(0.03);
    }
  });

  it('reports stage outputs at strides 4, 8, 16, 32', () => {
    const s = modelSummary('resnext50_32x4d');
    expect(s.stem.outputShape).toEqual([56, 56, 64]);
    expect(s.perStage.map((p) => p.outputShape)).toEqual([
      [56, 56, 256],
      [28, 28, 512],
      [14, 14, 1024],
      [7, 7, 2048],
    ]);
  });

  it('follows numClasses, inputShape and includeTop', () => {
    const base = modelSummary('resnext50_32x4d');
    const ten = modelSummary('resnext50_32x4d', { numClasses: 10 });
    expect(base.params - ten.params).toBe(2048 * 990 + 990);
    const gray = modelSummary('resnext50_32x4d', { inputShape: [224, 224, 1] });
    expect(base.params - gray.params).toBe(7 * 7 * 2 * 64);
    expect(modelSummary('resnext50_32x4d', { includeTop: false }).params).toBe(base.params - 2049000);
    expect(modelSummary(getModelConfig('resnext29_8x64d')).perStage.at(-1)!.outputShape).toEqual([8, 8, 1024]);
  });
});
