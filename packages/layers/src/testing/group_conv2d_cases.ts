import type { NaiveConvCase } from './naive_group_conv.js';

/** A named grouped-convolution case for the shared spec suite. */
export interface ConvCase extends NaiveConvCase {
  name: string;
}

const c = (
  name: string,
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  groups: number,
  strides: [number, number],
  pad: NaiveConvCase['pad'],
  dilations: [number, number] = [1, 1],
): ConvCase => ({ name, xShape, filterShape, groups, strides, pad, dilations });

/**
 * Forward cases: groups 1, 2, 3, 4, 5, 8, 32, 64; 1 to 32 channels per group with input ≠ output;
 * kernels 1, 3, 5, 7 and non-square; strides 1, 2, (2, 1); same, valid and explicit padding;
 * dilation 1 and 2; batch 1, 2 and 3; odd spatial sizes.
 */
export const FORWARD_CASES: readonly ConvCase[] = [
  c('dense 3x3 same (groups 1 = conv2d)', [1, 7, 9, 3], [3, 3, 3, 5], 1, [1, 1], 'same'),
  c('2 groups 1x1 stride 2 valid batch 3', [3, 5, 5, 4], [1, 1, 2, 6], 2, [2, 2], 'valid'),
  c('3 groups 5x5 explicit pad', [1, 9, 7, 9], [5, 5, 3, 6], 3, [1, 1], [[0, 0], [1, 2], [2, 0], [0, 0]]),
  c('8 groups stride (2,1) batch 3', [3, 7, 6, 8], [3, 3, 1, 16], 8, [2, 1], 'same'),
  c('ResNeXt 32 groups x 4 stride 2', [1, 7, 7, 128], [3, 3, 4, 128], 32, [2, 2], 'same'),
  c('64 groups dilation 2', [1, 9, 9, 64], [3, 3, 1, 128], 64, [1, 1], 'same', [2, 2]),
  c('2 groups of 32 in, 24 out, 7x7 stride 2', [1, 11, 13, 64], [7, 7, 32, 48], 2, [2, 2], 'same'),
  c('4 groups non-square 1x3 valid batch 2', [2, 5, 6, 8], [1, 3, 2, 12], 4, [1, 1], 'valid'),
  c('3 groups 3x2 dilation (2,1) explicit', [1, 8, 7, 6], [3, 2, 2, 9], 3, [1, 1], [[0, 0], [2, 1], [0, 1], [0, 0]], [2, 1]),
  c('8 groups dilation 2 valid batch 3', [3, 9, 9, 16], [3, 3, 2, 24], 8, [1, 1], 'valid', [2, 2]),
  c('depthwise 5 groups', [1, 5, 7, 5], [3, 3, 1, 5], 5, [1, 1], 'same'),
  c('16 groups 8 in 16 out stride 2 valid', [1, 9, 9, 128], [3, 3, 8, 256], 16, [2, 2], 'valid'),
  // More weights than input: the wasm kernel's threads split output channels (16 + 16 + 8).
  c('dense dilated, 20 pixels, 40 out (channel parts)', [1, 4, 5, 8], [3, 3, 8, 40], 1, [1, 1], 'same', [2, 2]),
];

/** Small cases for finite-difference gradient checks (every element is perturbed). */
export const GRADIENT_CASES: readonly ConvCase[] = [
  c('2 groups 3x3 same', [2, 5, 5, 4], [3, 3, 2, 6], 2, [1, 1], 'same'),
  c('3 groups stride 2 valid', [1, 7, 6, 6], [3, 3, 2, 3], 3, [2, 2], 'valid'),
  c('4 groups stride (2,1) explicit', [1, 6, 5, 8], [3, 2, 2, 4], 4, [2, 1], [[0, 0], [1, 0], [0, 2], [0, 0]]),
  c('2 groups dilation 2 same', [1, 7, 7, 4], [3, 3, 2, 4], 2, [1, 1], 'same', [2, 2]),
  // Channels per group a multiple of 4: the vectorised paths of the GPU and wasm kernels.
  c('4 groups of 4, stride 2, batch 2', [2, 7, 7, 16], [3, 3, 4, 16], 4, [2, 2], 'same'),
];

/** A 1×1 convolution run through tfjs' own ops (`tf.conv2d`, `tf.fused.conv2d`). */
export interface PointwiseCase extends ConvCase {
  bias: boolean;
  activation: 'linear' | 'relu';
}

const p = (
  name: string,
  xShape: [number, number, number, number],
  out: number,
  stride: number,
  bias: boolean,
  activation: 'linear' | 'relu',
  pad: 'same' | 'valid' = 'valid',
): PointwiseCase => ({ ...c(name, xShape, [1, 1, xShape[3], out], 1, [stride, stride], pad), bias, activation });

/**
 * 1×1 convolutions (the wasm backend may run them on our kernel): strides 1 and 2, with and
 * without bias and ReLU, odd sizes and channel counts, batch 1 to 3.
 */
export const POINTWISE_CASES: readonly PointwiseCase[] = [
  p('1x1 stride 1, no bias (conv2d), batch 3, odd channels', [3, 7, 9, 132], 36, 1, false, 'linear'),
  p('1x1 stride 2, bias + ReLU, batch 2', [2, 9, 7, 128], 24, 2, true, 'relu'),
  p('1x1 stride 1, bias, 3 in / 5 out', [1, 5, 5, 3], 5, 1, true, 'linear'),
  p('1x1 stride 2 same, ReLU, ResNeXt-like 256 -> 48', [1, 11, 11, 256], 48, 2, false, 'relu', 'same'),
  p('1x1 stride 1, bias + ReLU, 13 -> 70, batch 2', [2, 6, 11, 13], 70, 1, true, 'relu'),
  p('1x1 stride 1, bias + ReLU, 160 -> 70, 15 rows', [1, 15, 13, 160], 70, 1, true, 'relu'),
  p('1x1 stride 2, bias + ReLU, 128 -> 120, 3x3 out (channel parts)', [1, 5, 6, 128], 120, 2, true, 'relu'),
  p('1x1 stride 1, bias + ReLU, 520 -> 20 (input channels in three passes)', [2, 3, 7, 520], 20, 1, true, 'relu'),
  // On wasm's FMA build: 24-wide chunks, then a 16-wide one, cut into channel parts between threads.
  p('1x1 stride 1, bias + ReLU, 256 -> 88, 2x3 (channel parts ending in a narrower chunk)', [1, 2, 3, 256], 88, 1, true, 'relu'),
];

/**
 * Cases for the residual form `relu(conv + bias + residual)`: 4 in / 4 out per group (wasm reads
 * NHWC in place), padded output chunks, a packed grouped one, a dense 3x3 (composed on wasm),
 * 1x1 convolutions of at least 128 input channels (fused on wasm's FMA build), and channel parts.
 */
export const RESIDUAL_CASES: readonly ConvCase[] = [
  FORWARD_CASES[4]!,
  FORWARD_CASES[2]!,
  FORWARD_CASES[11]!,
  FORWARD_CASES[0]!,
  POINTWISE_CASES[0]!,
  POINTWISE_CASES[5]!,
  POINTWISE_CASES[6]!,
  POINTWISE_CASES[7]!,
  POINTWISE_CASES[8]!,
  FORWARD_CASES[12]!,
];
