import type * as tf from '@tensorflow/tfjs-core';
import type { Param } from './params.js';

/** An optimizer's state as named tensors plus JSON (what a checkpoint stores). */
export interface OptimizerState {
  /** Slot tensors keyed `param#slot`, e.g. `fc/kernel#momentum`. Owned by the caller after getState. */
  slots: Map<string, tf.Tensor>;
  /** Per-parameter step counts and other scalars. */
  meta: Record<string, number>;
}

/**
 * An optimizer with explicit, serializable state, so a checkpoint can hold it exactly (tfjs'
 * built-in optimizers keep their slots keyed by a variable's unique runtime name).
 */
export interface Optimizer {
  /**
   * Applies one update to every param that has a gradient in `grads`; params without one are
   * left alone (frozen) and their slots do not advance. `lr` is the scheduled rate before each
   * param's `lrScale`.
   */
  step(params: readonly Param[], grads: ReadonlyMap<string, tf.Tensor>, lr: number): void;
  /** Copies of the slots and the step counts. */
  getState(): OptimizerState;
  /** Restores {@link getState}'s output (the tensors are copied). */
  setState(state: OptimizerState): void;
  dispose(): void;
}
