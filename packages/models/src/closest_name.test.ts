import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from './closest_name.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('epoch', 'epochs')).toBe(1);
    expect(editDistance('tpo', 'top')).toBe(2);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('closestName', () => {
  it('finds the nearest recipe flag', () => {
    const flags = ['recipe', 'recipe-file', 'epochs', 'batch-size', 'lr', 'out', 'resume'];
    expect(closestName('epoch', flags)).toBe('epochs');
    expect(closestName('batchsize', flags)).toBe('batch-size');
    expect(closestName('recipefile', flags)).toBe('recipe-file');
    expect(closestName('resum', flags)).toBe('resume');
    expect(closestName('temperature', flags)).toBeUndefined();
  });

  it('finds the nearest command-line option, ignoring case, and nothing for an unrelated word', () => {
    const options = ['--model', '--weights', '--top', '--json', '--backend', '--offline', '--cache-dir', '--help', '--debug'];
    expect(closestName('--tpo', options)).toBe('--top');
    expect(closestName('--wieghts', options)).toBe('--weights');
    expect(closestName('--JSON', options)).toBe('--json');
    expect(closestName('--zzzzzzzz', options)).toBeUndefined();
    expect(closestName('fly', ['classify', 'weights', 'models', 'fashion-mnist', 'help'])).toBeUndefined();
  });

  it('completes a word that begins exactly one candidate, and keeps an exact match among several that begin with it', () => {
    expect(closestName('fashion-mnist', ['fashion-mnist-resnext', 'cifar10-resnext29'])).toBe('fashion-mnist-resnext');
    expect(closestName('--cache', ['--cache-dir', '--help'])).toBe('--cache-dir');
    expect(closestName('recipe', ['recipe', 'recipe-file'])).toBe('recipe');
  });

  it('returns the candidate as written and nothing when there are no candidates', () => {
    expect(closestName('resnext50_32X4D', ['ResNeXt50_32x4d'])).toBe('ResNeXt50_32x4d');
    expect(closestName('anything', [])).toBeUndefined();
  });
});
