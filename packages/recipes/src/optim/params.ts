import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** One trainable tensor with the settings its optimizer group gives it. */
export interface Param {
  /** `layer/weight`, e.g. `layer1.0.conv2/kernel`: stable across runs, used as checkpoint key. */
  name: string;
  variable: tf.Variable;
  /** Whether weight decay applies. */
  decay: boolean;
  /** Factor on the learning rate (e.g. a lower rate for a fine-tuned backbone). */
  lrScale: number;
}

/** A model weight with a stable name (trainable or not: BN moving statistics are weights too). */
export interface NamedWeight {
  name: string;
  layer: string;
  variable: tf.Variable;
  trainable: boolean;
}

/** Every weight of a model in layer order, named `layer/weight` like @resnext/pretrained's mapping. */
export function namedWeights(model: tfl.LayersModel): NamedWeight[] {
  const out: NamedWeight[] = [];
  for (const layer of model.layers) {
    const trainable = new Set(layer.trainableWeights);
    for (const w of layer.weights) {
      const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      // LayerVariable.read() returns the backing tf.Variable itself (not a copy).
      out.push({ name: `${layer.name}/${short}`, layer: layer.name, variable: w.read() as tf.Variable, trainable: trainable.has(w) });
    }
  }
  return out;
}

/**
 * Groups trainable weights for the optimizer. With `noDecayOnBnAndBias`, every tensor of rank ≤ 1
 * (BN gamma/beta, biases) is exempt from weight decay: decaying them only shrinks the scale BN
 * restores anyway ("Bag of Tricks" §3.1, torchvision's `norm_weight_decay=0`).
 */
export function paramGroups(
  weights: readonly NamedWeight[],
  options: { noDecayOnBnAndBias: boolean; lrScale?: (w: NamedWeight) => number },
): Param[] {
  return weights
    .filter((w) => w.trainable)
    .map((w) => ({
      name: w.name,
      variable: w.variable,
      decay: !(options.noDecayOnBnAndBias && w.variable.rank <= 1),
      lrScale: options.lrScale?.(w) ?? 1,
    }));
}
