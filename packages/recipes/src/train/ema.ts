import * as tf from '@tensorflow/tfjs-core';
import type { NamedWeight } from '../optim/params.js';

/**
 * Exponential moving average of every model weight (BN statistics included, like timm's
 * ModelEmaV2): shadow ← d·shadow + (1 − d)·w after each optimizer step, starting from the
 * weights at construction.
 */
export class WeightEma {
  readonly #shadow = new Map<string, tf.Variable>();

  constructor(
    readonly weights: readonly NamedWeight[],
    readonly decay: number,
  ) {
    for (const w of weights) this.#shadow.set(w.name, tf.variable(tf.clone(w.variable), false));
  }

  /** One averaging step. */
  update(): void {
    tf.tidy(() => {
      for (const w of this.weights) {
        const s = this.#shadow.get(w.name)!;
        s.assign(tf.add(tf.mul(s, this.decay), tf.mul(w.variable, 1 - this.decay)));
      }
    });
  }

  /** The averaged tensors by weight name (views owned by this object). */
  get shadow(): ReadonlyMap<string, tf.Tensor> {
    return this.#shadow;
  }

  /** Replaces the averages (e.g. from a checkpoint); tensors are copied. */
  load(values: ReadonlyMap<string, tf.Tensor>): void {
    for (const [name, s] of this.#shadow) {
      const v = values.get(name);
      if (v === undefined) throw new Error(`EMA state lacks weight "${name}".`);
      s.assign(v);
    }
  }

  /** Runs `fn` with the averaged weights in the model, then puts the raw weights back. */
  async withAveragedWeights<T>(fn: () => Promise<T>): Promise<T> {
    const saved = this.weights.map((w) => tf.clone(w.variable));
    this.weights.forEach((w) => w.variable.assign(this.#shadow.get(w.name)!));
    try {
      return await fn();
    } finally {
      this.weights.forEach((w, i) => w.variable.assign(saved[i]!));
      tf.dispose(saved);
    }
  }

  dispose(): void {
    for (const s of this.#shadow.values()) s.dispose();
  }
}
