import { describe, expect, it } from 'vitest';
import { closest, editDistance } from './closest.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('epoch', 'epochs')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('closest', () => {
  const flags = ['recipe', 'recipe-file', 'epochs', 'batch-size', 'lr', 'out', 'resume'];
  it('finds the nearest flag', () => {
    expect(closest('epoch', flags)).toBe('epochs');
    expect(closest('batchsize', flags)).toBe('batch-size');
    expect(closest('recipefile', flags)).toBe('recipe-file');
    expect(closest('resum', flags)).toBe('resume');
  });
  it('completes a word that begins exactly one candidate', () => {
    expect(closest('fashion-mnist', ['fashion-mnist-resnext', 'cifar10-resnext29'])).toBe('fashion-mnist-resnext');
    expect(closest('recipe', ['recipe', 'recipe-file'])).toBe('recipe');
  });

  it('gives nothing for a word unlike every candidate', () => {
    expect(closest('temperature', flags)).toBeUndefined();
  });
});
