import { describe, expect, it } from 'vitest';
import { Rng, rngFor } from './rng.js';

describe('Rng', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    const a = Array.from({ length: 5 }, () => 0).map(((r) => () => r.uniform())(new Rng(7)));
    const b = Array.from({ length: 5 }, () => 0).map(((r) => () => r.uniform())(new Rng(7)));
    const c = Array.from({ length: 5 }, () => 0).map(((r) => () => r.uniform())(new Rng(8)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('draws uniform values in [0, 1) with the right mean and variance', () => {
    const r = new Rng(1);
    const n = 100_000;
    let sum = 0;
    let sq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      sum += u;
      sq += u * u;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
  });

  it('int(n) covers 0..n-1 evenly; normal() has mean 0 and variance 1; beta(a) has mean 1/2', () => {
    const r = new Rng(2);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[r.int(6)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    let s = 0;
    let q = 0;
    for (let i = 0; i < 50_000; i++) {
      const z = r.normal();
      s += z;
      q += z * z;
    }
    expect(s / 50_000).toBeCloseTo(0, 1);
    expect(q / 50_000).toBeCloseTo(1, 1);
    let b = 0;
    for (let i = 0; i < 20_000; i++) b += r.beta(0.4);
    expect(b / 20_000).toBeCloseTo(0.5, 1);
    expect(() => r.int(0)).toThrow(RangeError);
  });

  it('shuffles into a permutation', () => {
    const a = Array.from({ length: 100 }, (_, i) => i);
    new Rng(3).shuffle(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('getState/setState continue the stream exactly', () => {
    const r = new Rng(4);
    r.uniform();
    r.normal(); // leaves a spare normal in the state
    const state = r.getState();
    const expected = [r.normal(), r.uniform(), r.int(1000)];
    const s = new Rng(99);
    s.setState(state);
    expect([s.normal(), s.uniform(), s.int(1000)]).toEqual(expected);
    expect(() => s.setState([1, 2])).toThrow(RangeError);
  });

  it('rngFor derives independent, reproducible streams from (seed, keys)', () => {
    const first = (seed: number, ...keys: number[]) => rngFor(seed, ...keys).uniform();
    expect(first(1, 2, 3)).toBe(first(1, 2, 3));
    const values = new Set([first(1), first(1, 0), first(1, 1), first(1, 0, 1), first(1, 1, 0), first(2, 0), first(2, 1)]);
    expect(values.size).toBe(7);
  });

  it('rngFor streams of neighbouring keys are uncorrelated and their first draws uniform', () => {
    // Per-sample streams rngFor(seed, epoch, i): first draws over i spread evenly over 10 bins,
    // and the sequences of neighbouring samples do not correlate.
    const n = 20_000;
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) bins[Math.floor(rngFor(5, 1, i).uniform() * 10)]!++;
    const chi2 = bins.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9); // p = 0.001 for 9 degrees of freedom
    const a = rngFor(5, 1, 100);
    const b = rngFor(5, 1, 101);
    const e = rngFor(5, 2, 100);
    let ab = 0;
    let ae = 0;
    for (let i = 0; i < n; i++) {
      const u = a.uniform() - 0.5;
      ab += u * (b.uniform() - 0.5);
      ae += u * (e.uniform() - 0.5);
    }
    // Correlation of independent uniforms: sd 1/sqrt(n) ≈ 0.007.
    expect(Math.abs((ab / n) * 12)).toBeLessThan(0.03);
    expect(Math.abs((ae / n) * 12)).toBeLessThan(0.03);
  });
});
