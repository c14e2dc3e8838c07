import * as tf from '@tensorflow/tfjs-core';

/** The `index`-th of `groups` equal slices of `t` along its last axis. */
export function groupSlice<T extends tf.Tensor>(t: T, groups: number, index: number): T {
  const depth = t.shape[t.rank - 1]! / groups;
  const begin = t.shape.map((_, i) => (i === t.rank - 1 ? index * depth : 0));
  const size = t.shape.map((d, i) => (i === t.rank - 1 ? depth : d));
  return tf.slice(t, begin, size);
}

/** Runs `perGroup` on each group index and concatenates the results along the last axis. */
export function concatGroups<T extends tf.Tensor>(groups: number, perGroup: (g: number) => T): T {
  if (groups === 1) return perGroup(0);
  const parts = Array.from({ length: groups }, (_, g) => perGroup(g));
  return tf.concat(parts, parts[0]!.rank - 1);
}

/**
 * Inserts dilation − 1 zeros between filter taps: a dilated convolution with `filter` equals a
 * plain convolution with the result. The core backprop kernels have no dilation attribute, so
 * the generic gradients use this form.
 */
export function dilateFilter(filter: tf.Tensor4D, dilations: [number, number]): tf.Tensor4D {
  const [dh, dw] = dilations;
  if (dh === 1 && dw === 1) return filter;
  return tf.tidy(() => {
    const [kh, kw, ci, co] = filter.shape;
    const padded = tf.pad(tf.reshape(filter, [kh, 1, kw, 1, ci, co]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
    const spread = tf.reshape(padded, [kh * dh, kw * dw, ci, co]);
    return tf.slice(spread, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co]) as tf.Tensor4D;
  });
}

/** The inverse of {@link dilateFilter} for a gradient: keeps every dilation-th tap. */
export function undilateFilter(dilated: tf.Tensor4D, dilations: [number, number]): tf.Tensor4D {
  const [dh, dw] = dilations;
  if (dh === 1 && dw === 1) return dilated;
  const [h, w, ci, co] = dilated.shape;
  return tf.stridedSlice(dilated, [0, 0, 0, 0], [h, w, ci, co], [dh, dw, 1, 1]) as tf.Tensor4D;
}
