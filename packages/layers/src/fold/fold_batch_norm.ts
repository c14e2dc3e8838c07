import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { findFoldPairs, withFusedRelus, withoutBatchNorms, type FoldPair, type ModelConfig } from './fold_plan.js';
import { withFusedResiduals } from './fuse_residuals.js';
// fromConfig finds the fused block ends' class by name: registered by importing its module.
import '../layers/residual_group_conv2d_layer.js';

/** A layer's weights by role: the last part of the weight name ('kernel', 'gamma', 'moving_mean', …). */
function weightsByRole(layer: tfl.layers.Layer): Map<string, tf.Tensor> {
  const values = layer.getWeights();
  return new Map(layer.weights.map((w, i) => [w.originalName.split('/').pop()!, values[i]!]));
}

/**
 * The kernel and bias of `conv` followed by `bn` at inference, as one convolution: with
 * s = gamma / √(movingVariance + ε) per output channel, kernel' = kernel · s and
 * bias' = beta + (bias − movingMean) · s.
 */
function foldedWeights(conv: tfl.layers.Layer, bn: tfl.layers.Layer): tf.Tensor[] {
  return tf.tidy(() => {
    const c = weightsByRole(conv);
    const b = weightsByRole(bn);
    const kernel = c.get('kernel')!;
    const channels = kernel.shape[kernel.rank - 1]!;
    const epsilon = (bn.getConfig() as { epsilon: number }).epsilon;
    const gamma = b.get('gamma') ?? tf.ones([channels]);
    const beta = b.get('beta') ?? tf.zeros([channels]);
    const bias = c.get('bias') ?? tf.zeros([channels]);
    const scale = tf.div(gamma, tf.sqrt(tf.add(b.get('moving_variance')!, epsilon)));
    return [tf.mul(kernel, scale), tf.add(beta, tf.mul(tf.sub(bias, b.get('moving_mean')!), scale))];
  });
}

/**
 * Folds inference-mode BatchNormalization into the convolution before it: returns a new model in
 * which every Conv2D or GroupConv2D (linear activation, channels last) whose output only feeds a
 * BatchNormalization is replaced by one convolution with a bias, and that BN layer is gone; a
 * ReLU that alone reads such a convolution is fused into it too (one conv + bias + ReLU kernel),
 * and so is a residual block's end: a folded convolution, an Add with the shortcut, and the ReLU
 * after it become one `ResidualGroupConv2D` called on [conv input, shortcut].
 * The graph is rebuilt from the model's config, other layers keep their names, configs and weights
 * (copied), and outputs equal the original model's at inference up to float rounding. Saves two
 * passes over activation maps per conv; use it for inference only (the moving statistics are baked in).
 *
 * A Sequential model is treated as the equivalent functional model. Layers nested inside a
 * sub-model are left as they are. The input model is not modified.
 *
 * @example
 * ```ts
 * const fast = foldBatchNorm(model);
 * fast.predict(x); // ≈ model.predict(x)
 * ```
 */
export function foldBatchNorm(model: tfl.LayersModel): tfl.LayersModel {
  const functional = model instanceof tfl.Sequential ? tfl.model({ inputs: model.inputs, outputs: model.outputs, name: model.name }) : model;
  const config = functional.getConfig() as unknown as ModelConfig;
  const pairs = findFoldPairs(config);
  const folded = new Set(pairs.map((p) => p.conv));
  const plan = withFusedResiduals(withFusedRelus(withoutBatchNorms(config, pairs), folded), folded);
  const rebuilt = tfl.LayersModel.fromConfig(
    tfl.LayersModel,
    plan as unknown as tf.serialization.ConfigDict,
    {},
    true, // every weight is overwritten below, so skip the initializers
  ) as tfl.LayersModel;
  const foldedInto = new Map<string, FoldPair>(pairs.map((p) => [p.conv, p]));
  for (const layer of rebuilt.layers) {
    if (layer.weights.length === 0) continue;
    const pair = foldedInto.get(layer.name);
    const source = functional.getLayer(layer.name);
    const weights = pair === undefined ? source.getWeights() : foldedWeights(source, functional.getLayer(pair.bn));
    layer.setWeights(weights);
    if (pair !== undefined) tf.dispose(weights);
  }
  return rebuilt;
}
