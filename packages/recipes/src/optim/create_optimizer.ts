import type { OptimizerSpec } from '../config/recipe_config.js';
import { AdamW } from './adamw.js';
import type { Optimizer } from './optimizer.js';
import { Sgd } from './sgd.js';

/** The optimizer a recipe names. */
export function createOptimizer(spec: OptimizerSpec): Optimizer {
  return spec.kind === 'sgd'
    ? new Sgd({ momentum: spec.momentum, nesterov: spec.nesterov, weightDecay: spec.weightDecay })
    : new AdamW({ betas: spec.betas, eps: spec.eps, weightDecay: spec.weightDecay });
}
