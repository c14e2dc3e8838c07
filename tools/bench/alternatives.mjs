// Grouped convolution written the two naive ways TF.js users write it today; benchmark peers only.
import * as tf from '@tensorflow/tfjs-core';

/** One tf.conv2d per group on channel slices, concatenated. */
export function splitConvConcat(x, w, groups) {
  return tf.tidy(() => {
    const xs = tf.split(x, groups, 3);
    const ws = tf.split(w, groups, 3);
    return tf.concat(xs.map((xi, g) => tf.conv2d(xi, ws[g], 1, 'same')), 3);
  });
}

/**
 * Depthwise conv with channel multiplier = outputs per group, then a sum over each group's
 * input channels. `dwFilter` is prepared once (as a converter would) by {@link depthwiseFilter}.
 */
export function depthwiseMultiplierSum(x, dwFilter, groups) {
  return tf.tidy(() => {
    const [n, , , c] = x.shape;
    const og = dwFilter.shape[3];
    const y = tf.depthwiseConv2d(x, dwFilter, 1, 'same');
    const [, oh, ow] = y.shape;
    return tf.reshape(tf.sum(tf.reshape(y, [n, oh, ow, groups, c / groups, og]), 4), [n, oh, ow, groups * og]);
  });
}

/** [kh, kw, c/groups, o] → [kh, kw, c, o/groups] for {@link depthwiseMultiplierSum}. */
export function depthwiseFilter(w, groups) {
  return tf.tidy(() => {
    const [kh, kw, cg, o] = w.shape;
    const og = o / groups;
    return tf.reshape(tf.transpose(tf.reshape(w, [kh, kw, cg, groups, og]), [0, 1, 3, 2, 4]), [kh, kw, cg * groups, og]);
  });
}
