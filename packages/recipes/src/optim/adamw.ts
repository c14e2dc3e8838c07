import * as tf from '@tensorflow/tfjs-core';
import type { Optimizer, OptimizerState } from './optimizer.js';
import type { Param } from './params.js';
import { splitSlotKey } from './sgd.js';

/** Settings of {@link AdamW}. */
export interface AdamWOptions {
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

/**
 * AdamW exactly as `torch.optim.AdamW` (amsgrad off): p ← p·(1 − lr·wd) (decayed params only);
 * m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; p ← p − lr·m̂ / (√v̂ + ε) with the bias-corrected
 * m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ), t counted per parameter.
 */
export class AdamW implements Optimizer {
  readonly #m = new Map<string, tf.Variable>();
  readonly #v = new Map<string, tf.Variable>();
  readonly #t = new Map<string, number>();

  constructor(readonly options: AdamWOptions) {}

  step(params: readonly Param[], grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    const { betas: [b1, b2], eps, weightDecay } = this.options;
    for (const p of params) {
      const g = grads.get(p.name);
      if (g === undefined) continue;
      const t = (this.#t.get(p.name) ?? 0) + 1;
      this.#t.set(p.name, t);
      const rate = lr * p.lrScale;
      tf.tidy(() => {
        const m = slot(this.#m, p);
        const v = slot(this.#v, p);
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const decayed = p.decay && weightDecay !== 0 ? tf.mul(p.variable, 1 - rate * weightDecay) : p.variable;
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - b2 ** t)), eps);
        p.variable.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), rate / (1 - b1 ** t))));
      });
    }
  }

  getState(): OptimizerState {
    const slots = new Map<string, tf.Tensor>();
    for (const [name, m] of this.#m) slots.set(`${name}#m`, tf.clone(m));
    for (const [name, v] of this.#v) slots.set(`${name}#v`, tf.clone(v));
    return { slots, meta: Object.fromEntries([...this.#t].map(([name, t]) => [`${name}#t`, t])) };
  }

  setState(state: OptimizerState): void {
    this.dispose();
    for (const [key, t] of state.slots) {
      const [name, which] = splitSlotKey(key);
      const target = which === 'm' ? this.#m : which === 'v' ? this.#v : undefined;
      if (target === undefined) throw new Error(`AdamW state has an unknown slot "${key}".`);
      target.set(name, tf.variable(tf.clone(t), false));
    }
    for (const [key, t] of Object.entries(state.meta)) this.#t.set(splitSlotKey(key)[0], t);
  }

  dispose(): void {
    for (const v of [...this.#m.values(), ...this.#v.values()]) v.dispose();
    this.#m.clear();
    this.#v.clear();
    this.#t.clear();
  }
}

function slot(map: Map<string, tf.Variable>, p: Param): tf.Variable {
  let v = map.get(p.name);
  if (v === undefined) {
    v = tf.variable(tf.zerosLike(p.variable), false);
    map.set(p.name, v);
  }
  return v;
}
