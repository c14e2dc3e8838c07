import type * as tfl from '@tensorflow/tfjs-layers';
import { GroupConvError } from '../errors.js';
import type { ConvPadding } from '../kernels/kernel_names.js';
import type { ActivationArg, ConstraintArg, InitializerArg, RegularizerArg } from './serializable_args.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/**
 * Padding of a {@link GroupConv2D} layer: Keras' 'same' / 'valid', or explicit zero padding
 * `[[top, bottom], [left, right]]`. PyTorch's `padding=1` is `[[1, 1], [1, 1]]`; it differs
 * from 'same' for an even input with stride 2, where 'same' pads (0, 1).
 */
export type GroupConv2DLayerPadding = 'same' | 'valid' | [[number, number], [number, number]];

/** Arguments of the {@link GroupConv2D} layer: those of `tf.layers.conv2d` plus `groups`. */
export interface GroupConv2DLayerArgs extends LayerArgs {
  /** Output channels; must be divisible by `groups`. */
  filters: number;
  /** Kernel height and width (one number for a square kernel). */
  kernelSize: number | [number, number];
  /** Number of channel groups (default 1, an ordinary convolution). Must divide both channel counts. */
  groups?: number;
  strides?: number | [number, number];
  /** Default 'valid', as in Keras. */
  padding?: GroupConv2DLayerPadding;
  dilationRate?: number | [number, number];
  /** Only 'channelsLast' (NHWC): the grouped-convolution kernels are NHWC. */
  dataFormat?: 'channelsLast';
  /** Applied after the bias; 'relu' and 'linear' are fused into the convolution kernel. */
  activation?: ActivationArg;
  /** Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform' (Keras' Conv2D default), fan-in = kh·kw·inChannels/groups. */
  kernelInitializer?: InitializerArg;
  /** Default 'zeros'. */
  biasInitializer?: InitializerArg;
  kernelRegularizer?: RegularizerArg;
  biasRegularizer?: RegularizerArg;
  /** Accepted and serialized like Conv2D's; tfjs-layers 4.22 refuses to apply any layer that has one. */
  activityRegularizer?: RegularizerArg;
  kernelConstraint?: ConstraintArg;
  biasConstraint?: ConstraintArg;
}

/** The geometry of a {@link GroupConv2D} layer after validation. */
export interface GroupConv2DGeometry {
  filters: number;
  groups: number;
  kernelSize: [number, number];
  strides: [number, number];
  dilationRate: [number, number];
  padding: GroupConv2DLayerPadding;
}

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const isNonNegativeInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function pair(layer: string, name: string, value: unknown): [number, number] {
  const p = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(p) || p.length !== 2 || !p.every(isPositiveInt)) {
    throw new GroupConvError(`GroupConv2D '${layer}': ${name} must be a positive integer or two of them, got ${JSON.stringify(value)}.`);
  }
  return [p[0] as number, p[1] as number];
}

function checkPadding(layer: string, padding: unknown): GroupConv2DLayerPadding {
  if (padding === 'same' || padding === 'valid') return padding;
  const ok =
    Array.isArray(padding) &&
    padding.length === 2 &&
    padding.every((p) => Array.isArray(p) && p.length === 2 && p.every(isNonNegativeInt));
  if (!ok) {
    throw new GroupConvError(
      `GroupConv2D '${layer}': padding must be 'same', 'valid' or [[top, bottom], [left, right]] with non-negative ` +
        `integers, got ${JSON.stringify(padding)}.`,
    );
  }
  return padding as GroupConv2DLayerPadding;
}

/** Validates the geometry arguments; every error names the layer, the argument and the value. */
export function validateGroupConv2DArgs(layer: string, args: GroupConv2DLayerArgs): GroupConv2DGeometry {
  if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
    throw new GroupConvError(
      `GroupConv2D '${layer}': dataFormat must be 'channelsLast' (NHWC); got '${String(args.dataFormat)}'. ` +
        `Transpose NCHW input with tf.transpose(x, [0, 2, 3, 1]) first.`,
    );
  }
  if (!isPositiveInt(args.filters)) {
    throw new GroupConvError(`GroupConv2D '${layer}': filters must be a positive integer, got ${JSON.stringify(args.filters)}.`);
  }
  const groups = args.groups ?? 1;
  if (!isPositiveInt(groups)) {
    throw new GroupConvError(`GroupConv2D '${layer}': groups must be a positive integer, got ${JSON.stringify(groups)}.`);
  }
  if (args.filters % groups !== 0) {
    throw new GroupConvError(`GroupConv2D '${layer}': filters (${args.filters}) must be divisible by groups (${groups}).`);
  }
  const kernelSize = pair(layer, 'kernelSize', args.kernelSize);
  const strides = pair(layer, 'strides', args.strides ?? 1);
  const dilationRate = pair(layer, 'dilationRate', args.dilationRate ?? 1);
  if (strides.some((s) => s > 1) && dilationRate.some((d) => d > 1)) {
    throw new GroupConvError(
      `GroupConv2D '${layer}': strides [${strides.join(', ')}] and dilationRate [${dilationRate.join(', ')}] cannot both exceed 1.`,
    );
  }
  const padding = checkPadding(layer, args.padding ?? 'valid');
  return { filters: args.filters, groups, kernelSize, strides, dilationRate, padding };
}

/** The layer padding in the op's form (explicit pairs become NHWC pairs). */
export function opPadding(padding: GroupConv2DLayerPadding): ConvPadding {
  if (padding === 'same' || padding === 'valid') return padding;
  return [[0, 0], padding[0], padding[1], [0, 0]];
}

/** Output length along one spatial axis (null stays null: an unknown input size). */
export function outputLength(
  size: number | null,
  kernel: number,
  stride: number,
  dilation: number,
  padding: GroupConv2DLayerPadding,
  axis: 0 | 1,
): number | null {
  if (size === null) return null;
  const effective = (kernel - 1) * dilation + 1;
  if (padding === 'same') return Math.ceil(size / stride);
  if (padding === 'valid') return Math.ceil((size - effective + 1) / stride);
  const [before, after] = padding[axis];
  return Math.floor((size + before + after - effective) / stride) + 1;
}
