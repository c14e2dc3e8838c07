import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from '../config/recipe_config.js';
import { lrFactor } from './lr_schedule.js';

const at = (spec: Parameters<typeof lrFactor>[0], step: number, stepsPerEpoch = 10, epochs = 10) => lrFactor(spec, { step, stepsPerEpoch, epochs });

describe('lrFactor (closed forms)', () => {
  it('constant is 1 everywhere', () => {
    expect([0, 37, 99].map((s) => at({ kind: 'constant' }, s))).toEqual([1, 1, 1]);
  });

  it('step: gamma^floor(epoch / stepEpochs)', () => {
    const spec = { kind: 'step', stepEpochs: 3, gamma: 0.1 } as const;
    expect(at(spec, 29)).toBe(1); // epoch 2.9
    expect(at(spec, 30)).toBeCloseTo(0.1, 12); // epoch 3
    expect(at(spec, 61)).toBeCloseTo(0.01, 12);
  });

  it('multistep with absolute and relative milestones (the paper: ÷10 at 50% and 75%)', () => {
    const abs: ScheduleSpec = { kind: 'multistep', milestones: [5, 7.5], gamma: 0.1 };
    expect([49, 50, 74, 75].map((s) => at(abs, s))).toEqual([1, 0.1, 0.1, 0.1 ** 2]);
    const rel: ScheduleSpec = { kind: 'multistep', milestones: [0.5, 0.75], gamma: 0.1, relative: true };
    expect([49, 50, 74, 75].map((s) => at(rel, s))).toEqual([1, 0.1, 0.1, 0.1 ** 2]);
    // 300 epochs of 391 steps: milestones at epochs 150 and 225
    expect(lrFactor(rel, { step: 150 * 391 - 1, stepsPerEpoch: 391, epochs: 300 })).toBe(1);
    expect(lrFactor(rel, { step: 225 * 391, stepsPerEpoch: 391, epochs: 300 })).toBeCloseTo(0.01, 12);
  });

  it('linear warmup then cosine: (1 + cos(π·t/T))/2 after warmup', () => {
    const spec = { kind: 'cosine', warmupEpochs: 2, warmupStartFactor: 0.2 } as const;
    expect(at(spec, 0)).toBeCloseTo(0.2, 12);
    expect(at(spec, 10)).toBeCloseTo(0.2 + 0.8 * 0.5, 12); // half-way through 20 warmup steps
    expect(at(spec, 20)).toBeCloseTo(1, 12);
    for (const s of [27, 55, 83, 99]) expect(at(spec, s)).toBeCloseTo((1 + Math.cos((Math.PI * (s - 20)) / 80)) / 2, 12);
  });

  it('cosine reaches minLrFactor at the end', () => {
    expect(at({ kind: 'cosine', minLrFactor: 0.05 }, 100)).toBeCloseTo(0.05, 12);
    expect(at({ kind: 'cosine', minLrFactor: 0.05 }, 50)).toBeCloseTo(0.05 + 0.95 * 0.5, 12);
  });

  it('one-cycle: 30% ramp from lr/25, then cosine to lr/(25·1e4)', () => {
    const spec = { kind: 'onecycle' } as const;
    expect(at(spec, 0)).toBeCloseTo(1 / 25, 12);
    expect(at(spec, 15)).toBeCloseTo(1 / 25 + (1 - 1 / 25) * 0.5, 12);
    expect(at(spec, 30)).toBeCloseTo(1, 12);
    const min = 1 / 25e4;
    expect(at(spec, 65)).toBeCloseTo(min + (1 - min) * 0.5, 12);
    expect(at(spec, 100)).toBeCloseTo(min, 12);
  });
});
