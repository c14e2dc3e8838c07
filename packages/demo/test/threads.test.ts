import { describe, expect, it } from 'vitest';
import { MAX_WASM_THREADS, defaultThreads, threadChoices } from '../src/threads.js';

describe('threadChoices', () => {
  it('offers powers of two up to the cores, and the core count itself', () => {
    expect(threadChoices(1, true)).toEqual([1]);
    expect(threadChoices(2, true)).toEqual([1, 2]);
    expect(threadChoices(6, true)).toEqual([1, 2, 4, 6]);
    expect(threadChoices(8, true)).toEqual([1, 2, 4, 8]);
  });

  it('stops at what tfjs-backend-wasm runs', () => {
    expect(threadChoices(64, true)).toEqual([1, 2, 4, 8]);
    expect(Math.max(...threadChoices(12, true))).toBe(MAX_WASM_THREADS);
  });

  it('offers one thread without cross-origin isolation, or when the core count is unknown', () => {
    expect(threadChoices(8, false)).toEqual([1]);
    expect(threadChoices(0, true)).toEqual([1]);
    expect(threadChoices(Number.NaN, true)).toEqual([1]);
  });

  it('preselects all cores up to 4', () => {
    expect(defaultThreads([1, 2])).toBe(2);
    expect(defaultThreads([1, 2, 4, 8])).toBe(4);
    expect(defaultThreads([1])).toBe(1);
  });
});
