import { describe, expect, it } from 'vitest';
import { IMAGENET_WEIGHTS } from './imagenet_records.js';
import { WeightsRegistry, WeightsRegistryError, getWeights, listWeights } from './weights_registry.js';

describe('weights registry', () => {
  it('resolves a bare architecture to its default tag', () => {
    expect(getWeights('resnext50_32x4d').id).toBe('resnext50_32x4d.tv2_in1k');
    expect(getWeights('resnext101_64x4d').id).toBe('resnext101_64x4d.tv_in1k');
  });

  it('describes torchvision V1 and V2 weights as published', () => {
    const v1 = getWeights('resnext50_32x4d.tv_in1k');
    expect(v1.metrics.top1).toBe(77.618);
    expect(v1.preprocessing).toMatchObject({ resizeSize: 256, cropSize: 224, interpolation: 'bilinear' });
    expect(v1.sources[0]).toMatchObject({ url: 'https://download.pytorch.org/models/resnext50_32x4d-7cdf4587.pth', sha256Prefix: '7cdf4587' });
    const v2 = getWeights('resnext50_32x4d.tv2_in1k');
    expect(v2.metrics.top1).toBe(81.198);
    expect(v2.preprocessing.resizeSize).toBe(232);
    expect(getWeights('resnext50_32x4d.a1h_in1k').preprocessing).toMatchObject({ resizeSize: 235, interpolation: 'bicubic' });
  });

  it('flags the fb_* weights as non-commercial', () => {
    const fb = listWeights().filter((id) => id.includes('.fb_'));
    expect(fb).toHaveLength(4);
    for (const id of fb) expect(getWeights(id)).toMatchObject({ nonCommercial: true, license: 'CC-BY-NC-4.0' });
    expect(getWeights('resnext50_32x4d.tv2_in1k').nonCommercial).toBe(false);
  });

  it('keeps records frozen', () => {
    const r = getWeights('resnext50_32x4d');
    expect(Object.isFrozen(r) && Object.isFrozen(r.preprocessing) && Object.isFrozen(r.sources[0])).toBe(true);
  });

  it('throws typed errors for unknown and duplicate ids', () => {
    expect(() => getWeights('resnext50_32x4d.nope')).toThrow(WeightsRegistryError);
    expect(() => getWeights('resnet50')).toThrow(/Unknown weights "resnet50"/);
    expect(() => new WeightsRegistry([...IMAGENET_WEIGHTS, IMAGENET_WEIGHTS[0]!])).toThrow(/already registered/);
  });
});
