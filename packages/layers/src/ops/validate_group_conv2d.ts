import type { Tensor } from '@tensorflow/tfjs-core';
import { GroupConvError } from '../errors.js';
import type { ConvPadding, GroupConv2DCommonAttrs } from '../kernels/kernel_names.js';

const pair = (v: number | readonly [number, number]): [number, number] =>
  typeof v === 'number' ? [v, v] : [v[0], v[1]];

function checkPositiveIntegers(name: string, values: readonly number[]): void {
  if (values.length !== 2 || values.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new GroupConvError(`groupConv2d: ${name} must be positive integers, got [${values.join(', ')}].`);
  }
}

function checkPadding(pad: ConvPadding): void {
  if (pad === 'same' || pad === 'valid') return;
  const ok =
    Array.isArray(pad) &&
    pad.length === 4 &&
    pad.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0)) &&
    pad[0].every((v) => v === 0) &&
    pad[3].every((v) => v === 0);
  if (!ok) {
    throw new GroupConvError(
      `groupConv2d: pad must be 'same', 'valid' or explicit [[0,0],[top,bottom],[left,right],[0,0]] ` +
        `with non-negative integers, got ${JSON.stringify(pad)}.`,
    );
  }
}

/**
 * Checks the arguments of a grouped convolution and returns them normalized. Every error names
 * the argument and the sizes involved.
 */
export function validateGroupConv2d(
  x: Tensor,
  filter: Tensor,
  strides: number | readonly [number, number],
  pad: ConvPadding,
  groups: number,
  dilations: number | readonly [number, number],
): GroupConv2DCommonAttrs {
  if (x.rank !== 4) {
    throw new GroupConvError(`groupConv2d: x must be rank 4 [batch, height, width, channels], got shape [${x.shape.join(', ')}].`);
  }
  if (filter.rank !== 4) {
    throw new GroupConvError(
      `groupConv2d: filter must be rank 4 [kh, kw, inChannels/groups, outChannels], got shape [${filter.shape.join(', ')}].`,
    );
  }
  for (const [name, t] of [['x', x], ['filter', filter]] as const) {
    if (t.dtype !== 'float32') {
      throw new GroupConvError(`groupConv2d: ${name} must be float32, got ${t.dtype}.`);
    }
  }
  if (!Number.isInteger(groups) || groups < 1) {
    throw new GroupConvError(`groupConv2d: groups must be a positive integer, got ${groups}.`);
  }
  const inChannels = x.shape[3]!;
  const [, , filterDepth, outChannels] = filter.shape as [number, number, number, number];
  if (inChannels % groups !== 0) {
    throw new GroupConvError(`groupConv2d: input channels (${inChannels}) must be divisible by groups (${groups}).`);
  }
  if (outChannels % groups !== 0) {
    throw new GroupConvError(
      `groupConv2d: output channels (filter.shape[3] = ${outChannels}) must be divisible by groups (${groups}).`,
    );
  }
  if (filterDepth !== inChannels / groups) {
    throw new GroupConvError(
      `groupConv2d: filter depth (filter.shape[2] = ${filterDepth}) must equal input channels / groups ` +
        `(${inChannels} / ${groups} = ${inChannels / groups}).`,
    );
  }
  const s = pair(strides);
  const d = pair(dilations);
  checkPositiveIntegers('strides', s);
  checkPositiveIntegers('dilations', d);
  if (s.some((v) => v > 1) && d.some((v) => v > 1)) {
    throw new GroupConvError(
      `groupConv2d: strides [${s.join(', ')}] and dilations [${d.join(', ')}] cannot both exceed 1 (as in tf.conv2d).`,
    );
  }
  checkPadding(pad);
  return { strides: s, pad, dilations: d, groups };
}
