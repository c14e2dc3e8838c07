import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from './closest.js';

describe('closestMatch', () => {
  it('counts edits', () => {
    expect(editDistance('top', 'top')).toBe(0);
    expect(editDistance('tpo', 'top')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the closest candidate for a typo or a prefix, and nothing for an unrelated word', () => {
    const options = ['--model', '--weights', '--top', '--json', '--backend', '--offline', '--cache-dir', '--help', '--debug'];
    expect(closestMatch('--tpo', options)).toBe('--top');
    expect(closestMatch('--wieghts', options)).toBe('--weights');
    expect(closestMatch('--cache', options)).toBe('--cache-dir');
    expect(closestMatch('--JSON', options)).toBe('--json');
    expect(closestMatch('--zzzzzzzz', options)).toBeUndefined();
    expect(closestMatch('fly', ['classify', 'weights', 'models', 'fashion-mnist', 'help'])).toBeUndefined();
  });
});
