import type { ScheduleSpec } from '../config/recipe_config.js';

/** Where a run is: the optimizer step (0-based) and the shape of the run, in optimizer steps. */
export interface SchedulePosition {
  step: number;
  stepsPerEpoch: number;
  epochs: number;
}

/**
 * The factor multiplying the base learning rate at an optimizer step: closed forms of the schedule
 * kinds, so the learning rate depends only on the step (a resumed run needs no schedule state
 * beyond the step count).
 */
export function lrFactor(spec: ScheduleSpec, { step, stepsPerEpoch, epochs }: SchedulePosition): number {
  const total = stepsPerEpoch * epochs;
  const epoch = step / stepsPerEpoch;
  const warmupEpochs = spec.warmupEpochs ?? (spec.kind === 'onecycle' ? 0.3 * epochs : 0);
  const warmupSteps = Math.round(warmupEpochs * stepsPerEpoch);
  const startFactor = spec.warmupStartFactor ?? (spec.kind === 'onecycle' ? 1 / (spec.divFactor ?? 25) : 0.1);
  if (step < warmupSteps) return startFactor + ((1 - startFactor) * step) / warmupSteps;
  const progress = total > warmupSteps ? Math.min(1, (step - warmupSteps) / (total - warmupSteps)) : 1;
  const halfCosine = (1 + Math.cos(Math.PI * progress)) / 2;
  switch (spec.kind) {
    case 'constant':
      return 1;
    case 'step':
      return spec.gamma ** Math.floor(epoch / spec.stepEpochs);
    case 'multistep':
      return spec.gamma ** spec.milestones.filter((m) => (spec.relative === true ? m * epochs : m) <= epoch).length;
    case 'cosine': {
      const min = spec.minLrFactor ?? 0;
      return min + (1 - min) * halfCosine;
    }
    case 'onecycle': {
      const min = 1 / ((spec.divFactor ?? 25) * (spec.finalDivFactor ?? 1e4));
      return min + (1 - min) * halfCosine;
    }
  }
}
