import { describe, expect, it } from 'vitest';

import { getRecipe } from '../catalog/registry.js';
import { lrFactor } from '../schedule/lr_schedule.js';
import type { RecipeConfig } from './recipe_config.js';
import { RecipeConfigError } from './recipe_config_error.js';
import { applyResumeOverrides, scheduleSpansRun } from './resume_overrides.js';

const cosine: RecipeConfig = { ...getRecipe('cifar10-resnext29'), epochs: 4, schedule: { kind: 'cosine' } };
const step: RecipeConfig = { ...cosine, schedule: { kind: 'step', stepEpochs: 2, gamma: 0.1, warmupEpochs: 1 } };
const midEpoch2 = { epoch: 1, loaderStep: 7 };

const refusal = (f: () => unknown): RecipeConfigError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RecipeConfigError);
    return e as RecipeConfigError;
  }
  throw new Error('not refused');
};

describe('applyResumeOverrides', () => {
  it('extends a schedule that does not depend on the epoch count, unchanged up to the old end', () => {
    const r = applyResumeOverrides(step, midEpoch2, { epochs: 8 });
    expect(r.epochs).toBe(8);
    for (let s = 0; s < 4 * 10; s++) {
      expect(lrFactor(r.schedule, { step: s, stepsPerEpoch: 10, epochs: 8 })).toBe(lrFactor(step.schedule, { step: s, stepsPerEpoch: 10, epochs: 4 }));
    }
  });

  it('refuses to stretch a cosine schedule without --reschedule, naming both flags', () => {
    const e = refusal(() => applyResumeOverrides(cosine, midEpoch2, { epochs: 8 }));
    expect(e.field).toBe('--epochs');
    expect(e.message).toMatch(/^--epochs=8 on --resume would stretch the run's cosine schedule from 4 to 8 epochs.*Pass --reschedule/);
    expect(applyResumeOverrides(cosine, midEpoch2, { epochs: 8 }, { reschedule: true }).epochs).toBe(8);
    expect(scheduleSpansRun({ kind: 'onecycle' })).toBe(true);
    expect(scheduleSpansRun({ kind: 'multistep', milestones: [0.5], gamma: 0.1, relative: true })).toBe(true);
    expect(scheduleSpansRun({ kind: 'multistep', milestones: [30], gamma: 0.1 })).toBe(false);
  });

  it('refuses fewer epochs than the run has reached', () => {
    expect(refusal(() => applyResumeOverrides(step, midEpoch2, { epochs: 1 })).message).toBe('--epochs=1 is too few: the run is in epoch 2; pass --epochs=2 or more.');
    expect(refusal(() => applyResumeOverrides(step, { epoch: 3, loaderStep: 0 }, { epochs: 2 })).message).toContain('has finished 3 epoch(s); pass --epochs=3 or more');
    expect(applyResumeOverrides(step, midEpoch2, { epochs: 2 }).epochs).toBe(2);
  });

  it('refuses overrides that would change the run itself, naming the flag', () => {
    expect(refusal(() => applyResumeOverrides(step, midEpoch2, { batchSize: 64 })).message).toMatch(/^--batch-size cannot change a run in progress: .*batches of 128/);
    expect(refusal(() => applyResumeOverrides(step, midEpoch2, { lr: 0.01 })).field).toBe('--lr');
    expect(refusal(() => applyResumeOverrides(step, midEpoch2, { seed: 1 })).field).toBe('--seed');
    expect(refusal(() => applyResumeOverrides(step, midEpoch2, { quick: true })).field).toBe('--quick');
    // The run's own values are no change.
    expect(applyResumeOverrides(step, midEpoch2, { batchSize: 128, seed: step.seed, lr: step.optimizer.lr })).toEqual(step);
  });

  it('changes where and how the run computes', () => {
    const r = applyResumeOverrides(step, midEpoch2, { backend: 'cpu', threads: 4, dataDir: '/data/c10' });
    expect(r.backend).toEqual({ name: 'cpu', threads: 4 });
    expect(r.dataset.dir).toBe('/data/c10');
    expect(step.backend.name).toBe('wasm');
  });
});
