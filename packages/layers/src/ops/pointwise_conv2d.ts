/**
 * A 1x1 convolution (NHWC, 'valid', no dilation) whose gradients avoid tfjs' input-gradient
 * kernel: on tfjs-backend-wasm 4.x Conv2DBackpropInput is a naive loop about ten times slower than
 * the XNNPACK forward convolution, and for a 1x1 filter the input gradient *is* a forward 1x1
 * convolution, of dy with the filter's two channel axes swapped (zero-upsampled for a stride).
 */
import * as tf from '@tensorflow/tfjs-core';
import { GroupConvError } from '../errors.js';
import { runKernel } from './dispatch.js';

/**
 * Places `y` [n, oh, ow, c] at every stride-th pixel of a zero tensor [n, h, w, c] (h ≤ oh·stride,
 * w ≤ ow·stride): a pad of unit axes after a reshape, one kernel on every backend.
 */
function zeroUpsample(y: tf.Tensor4D, stride: number, h: number, w: number): tf.Tensor4D {
  const [n, oh, ow, c] = y.shape;
  const s = stride - 1;
  const spread = tf.pad(tf.reshape(y, [n * oh, 1, ow, 1, c]), [
    [0, 0],
    [0, s],
    [0, 0],
    [0, s],
    [0, 0],
  ]);
  const full = tf.reshape<tf.Rank.R4>(spread, [n, oh * stride, ow * stride, c]);
  return oh * stride === h && ow * stride === w ? full : tf.slice<tf.Rank.R4, tf.Tensor4D>(full, [0, 0, 0, 0], [n, h, w, c]);
}

/**
 * y = conv2d(x, filter, stride, 'valid') for a [1, 1, in, out] filter, with dx computed by a
 * forward convolution and dfilter by tfjs' Conv2DBackpropFilter. Same values and gradients as
 * `tf.conv2d`, on every backend.
 *
 * @throws GroupConvError unless filter is [1, 1, x's channels, out] and stride a positive integer.
 */
export function pointwiseConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number): tf.Tensor4D {
  if (filter.shape[0] !== 1 || filter.shape[1] !== 1 || filter.shape[2] !== x.shape[3] || !Number.isInteger(stride) || stride < 1) {
    throw new GroupConvError(
      `pointwiseConv2d: needs a [1, 1, ${x.shape[3]}, out] filter and a positive integer stride, got filter ` +
        `[${filter.shape.join(', ')}] and stride ${stride}.`,
    );
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, f, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xi, f]);
    return {
      value: tf.conv2d(xi, f, stride, 'valid'),
      gradFunc: (dy, saved) => {
        const [xs, fs] = saved as [tf.Tensor4D, tf.Tensor4D];
        const d = dy;
        const swapped = tf.transpose(fs, [0, 1, 3, 2]);
        const dxStrided = tf.conv2d(d, swapped, 1, 'valid');
        const dx = stride === 1 ? dxStrided : zeroUpsample(dxStrided, stride, xs.shape[1], xs.shape[2]);
        const dfilter = runKernel<tf.Tensor4D>(tf.Conv2DBackpropFilter, { x: xs, dy: d }, {
          strides: [stride, stride],
          pad: 'valid',
          dataFormat: 'NHWC',
          dimRoundingMode: undefined,
          filterShape: fs.shape,
        });
        return [dx, dfilter];
      },
    };
  });
  return op(x, filter);
}
