import * as tf from '@tensorflow/tfjs-core';
import type { Optimizer, OptimizerState } from './optimizer.js';
import type { Param } from './params.js';

/** Settings of {@link Sgd}. */
export interface SgdOptions {
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

/**
 * SGD with momentum exactly as `torch.optim.SGD` (dampening 0):
 * g ← g + wd·p (decayed params only); b ← μ·b + g; d = g + μ·b (Nesterov) or b; p ← p − lr·d.
 * PyTorch starts the buffer at g, which equals starting it at zero here.
 */
export class Sgd implements Optimizer {
  readonly #momentum = new Map<string, tf.Variable>();

  constructor(readonly options: SgdOptions) {}

  step(params: readonly Param[], grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    const { momentum, nesterov, weightDecay } = this.options;
    for (const p of params) {
      const grad = grads.get(p.name);
      if (grad === undefined) continue;
      tf.tidy(() => {
        let g = p.decay && weightDecay !== 0 ? tf.add(grad, tf.mul(p.variable, weightDecay)) : grad;
        if (momentum !== 0) {
          const buf = this.#slot(p);
          buf.assign(tf.add(tf.mul(buf, momentum), g));
          g = nesterov ? tf.add(g, tf.mul(buf, momentum)) : buf;
        }
        p.variable.assign(tf.sub(p.variable, tf.mul(g, lr * p.lrScale)));
      });
    }
  }

  #slot(p: Param): tf.Variable {
    let v = this.#momentum.get(p.name);
    if (v === undefined) {
      v = tf.variable(tf.zerosLike(p.variable), false);
      this.#momentum.set(p.name, v);
    }
    return v;
  }

  getState(): OptimizerState {
    const slots = new Map<string, tf.Tensor>();
    for (const [name, v] of this.#momentum) slots.set(`${name}#momentum`, tf.clone(v));
    return { slots, meta: {} };
  }

  setState(state: OptimizerState): void {
    this.dispose();
    for (const [key, t] of state.slots) {
      const [name, slot] = splitSlotKey(key);
      if (slot !== 'momentum') throw new Error(`SGD state has an unknown slot "${key}".`);
      this.#momentum.set(name, tf.variable(tf.clone(t), false));
    }
  }

  dispose(): void {
    for (const v of this.#momentum.values()) v.dispose();
    this.#momentum.clear();
  }
}

/** `layer/weight#slot` → [`layer/weight`, `slot`]. */
export function splitSlotKey(key: string): [string, string] {
  const i = key.lastIndexOf('#');
  return [key.slice(0, i), key.slice(i + 1)];
}
