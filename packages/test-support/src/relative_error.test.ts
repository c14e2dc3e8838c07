import { describe, expect, it } from 'vitest';
import { relativeError } from './relative_error.js';

describe('relativeError', () => {
  it('is the largest difference over the reference\'s largest magnitude', () => {
    expect(relativeError([1, 2, 3.5], [1, 2, 4])).toBe(0.5 / 4);
    expect(relativeError(Float32Array.of(-8, 0), Float32Array.of(-10, 1))).toBe(2 / 10);
    expect(relativeError([1, 2], [1, 2])).toBe(0);
  });

  it('is absolute against an all-zero reference, NaN when a value is NaN, and throws on a length mismatch', () => {
    expect(relativeError([0.25, -0.5], [0, 0])).toBe(0.5);
    expect(relativeError([1, Number.NaN, 3], [1, 2, 3])).toBeNaN();
    expect(() => relativeError([1, 2], [1])).toThrow(/2 values against a reference of 1/);
  });
});
