import * as tf from '@tensorflow/tfjs-core';

/**
 * Per-example softmax cross-entropy from logits against target distributions, with label
 * smoothing ε: targets become (1 − ε)·t + ε/K (PyTorch's `CrossEntropyLoss(label_smoothing=ε)` for
 * one-hot t, and it also takes mixed targets from mixup/CutMix). Returns shape [n].
 */
export function smoothedCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D, labelSmoothing: number): tf.Tensor1D {
  return tf.tidy(() => {
    const k = logits.shape[1];
    const t = labelSmoothing === 0 ? targets : tf.add(tf.mul(targets, 1 - labelSmoothing), labelSmoothing / k);
    return tf.neg(tf.sum(tf.mul(t, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
  });
}
