import { describe, expect, it } from 'vitest';
import { IMAGENET_LABELS } from './imagenet_labels.js';

describe('IMAGENET_LABELS', () => {
  it('has the 1000 classes in standard order', () => {
    expect(IMAGENET_LABELS).toHaveLength(1000);
    // Well-known indices: 0 tench, 281 tabby cat, 285 Egyptian cat, 967 espresso, 999 toilet tissue.
    expect(IMAGENET_LABELS[0]).toBe('tench');
    expect(IMAGENET_LABELS[281]).toBe('tabby');
    expect(IMAGENET_LABELS[285]).toBe('Egyptian cat');
    expect(IMAGENET_LABELS[967]).toBe('espresso');
    expect(IMAGENET_LABELS[999]).toBe('toilet tissue');
  });
});
