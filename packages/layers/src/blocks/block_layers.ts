/**
 * The layers residual blocks are made of, configured to reproduce torchvision's modules exactly:
 * bias-free convolutions with PyTorch's symmetric padding, and BatchNormalization with PyTorch's
 * epsilon and momentum.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { GroupConvError } from '../errors.js';
import { GroupConv2D } from '../layers/group_conv2d_layer.js';
import type { InitializerArg } from '../layers/serializable_args.js';
import { PointwiseConv2D } from '../layers/pointwise_conv2d_layer.js';
import { TrainingBatchNormalization } from '../layers/training_batch_norm.js';
import { TrainingReLU } from '../layers/training_relu.js';

/** Options every block builder takes. */
export interface BlockCommonOptions<Key extends string> {
  /**
   * Prefix of every layer name, e.g. torchvision's `layer2.0`: the layers are then named
   * `layer2.0.conv1`, `layer2.0.bn1`, … `layer2.0.downsample.0`, `layer2.0.downsample.1`, so
   * PyTorch state-dict keys map one to one (tfjs layer names may contain dots).
   */
  prefix: string;
  /** Per-layer names overriding `${prefix}.${key}`. */
  names?: Partial<Record<Key, string>>;
  /** Stride of the block (on its 3x3 convolution and on the projection shortcut). Default 1. */
  stride?: number;
  /**
   * Start the last BatchNormalization of the residual branch with gamma = 0, so the block starts
   * as the identity (torchvision's `zero_init_residual`, "Bag of Tricks" §3.1). Default false.
   */
  zeroInitResidual?: boolean;
  /** Initializer of every convolution kernel. Default {@link kaimingNormalFanOut}. */
  kernelInitializer?: InitializerArg;
}

/** Throws unless `value` is a positive integer; `what` names it in the message. */
export function checkPositiveInteger(what: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new GroupConvError(`${what} must be a positive integer, got ${JSON.stringify(value)}.`);
  }
}

/** Resolves the name of the layer `key` of a block. */
function layerName<Key extends string>(options: BlockCommonOptions<Key>, key: Key): string {
  return options.names?.[key] ?? `${options.prefix}.${key}`;
}

/**
 * torchvision's `kaiming_normal_(mode='fan_out', nonlinearity='relu')`: std = √(2 / fan_out),
 * fan_out = kh·kw·outChannels. tfjs' 'normal' variance scaling draws from a normal truncated at
 * two standard deviations, which shrinks the variance by 0.87962566², so the scale is raised by
 * that factor to keep the variance PyTorch gets.
 */
export function kaimingNormalFanOut(): ReturnType<typeof tfl.initializers.varianceScaling> {
  const truncation = 0.87962566103423978;
  return tfl.initializers.varianceScaling({ scale: 2 / (truncation * truncation), mode: 'fanOut', distribution: 'normal' });
}

/**
 * BatchNormalization over the channel axis with PyTorch's defaults. Keras' momentum is the weight
 * of the old moving average (moving = momentum·moving + (1 − momentum)·batch), PyTorch's the
 * weight of the new batch statistic, so PyTorch's momentum 0.1 is Keras' 0.9. The layer is a
 * {@link TrainingBatchNormalization}: tfjs' BatchNormalization, saved as one, that trains as
 * torch.nn.BatchNorm2d (moving variance from the unbiased batch variance, a num_batches_tracked
 * counter), with fused training-mode kernels on wasm.
 */
export function batchNorm(name: string, zeroGamma = false): tfl.layers.Layer {
  return new TrainingBatchNormalization({
    name,
    axis: -1,
    epsilon: 1e-5,
    momentum: 0.9,
    gammaInitializer: zeroGamma ? 'zeros' : 'ones',
  });
}

/**
 * 1x1 convolution without bias; no padding is needed, also with stride 2 (samples 0, 2, 4, … as
 * PyTorch). A {@link PointwiseConv2D}: tfjs' Conv2D, saved as one, with fast gradients on wasm.
 */
export function conv1x1(name: string, filters: number, stride: number, kernelInitializer: InitializerArg): tfl.layers.Layer {
  return new PointwiseConv2D({
    name,
    filters,
    kernelSize: 1,
    strides: stride,
    padding: 'valid',
    useBias: false,
    kernelInitializer: kernelInitializer as Parameters<typeof tfl.layers.conv2d>[0]['kernelInitializer'],
  });
}

/**
 * 3x3 (grouped) convolution without bias, zero-padded by 1 on every side like PyTorch's
 * `padding=1`. Keras' 'same' would pad (0, 1) for stride 2 on an even input, shifting the
 * sampling grid by one pixel against torchvision's; explicit padding matches it for every input
 * size and stride, without a separate ZeroPadding2D layer.
 */
export function conv3x3(
  name: string,
  filters: number,
  stride: number,
  groups: number,
  kernelInitializer: InitializerArg,
): GroupConv2D {
  return new GroupConv2D({
    name,
    filters,
    kernelSize: 3,
    strides: stride,
    padding: [
      [1, 1],
      [1, 1],
    ],
    groups,
    useBias: false,
    kernelInitializer,
  });
}

/** Channels of an NHWC symbolic tensor. */
export function channelsOf(x: tfl.SymbolicTensor): number {
  const c = x.shape[x.shape.length - 1];
  if (x.shape.length !== 4 || c === null || c === undefined) {
    throw new GroupConvError(`A residual block needs an NHWC input with known channels, got shape ${JSON.stringify(x.shape)}.`);
  }
  return c;
}

const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;

/**
 * The shortcut and the block output: identity when the branch keeps the shape, else a 1x1
 * convolution carrying the stride + BN (`downsample.0`, `downsample.1`); then add and ReLU.
 */
export function residualOutput<Key extends string>(
  input: tfl.SymbolicTensor,
  branch: tfl.SymbolicTensor,
  options: BlockCommonOptions<Key | 'downsample.0' | 'downsample.1' | 'add' | 'relu'>,
): tfl.SymbolicTensor {
  const stride = options.stride ?? 1;
  const outChannels = channelsOf(branch);
  const init = options.kernelInitializer ?? kaimingNormalFanOut();
  let shortcut = input;
  if (stride !== 1 || channelsOf(input) !== outChannels) {
    shortcut = apply(conv1x1(layerName(options, 'downsample.0'), outChannels, stride, init), input);
    shortcut = apply(batchNorm(layerName(options, 'downsample.1')), shortcut);
  }
  const sum = apply(tfl.layers.add({ name: layerName(options, 'add') }), [branch, shortcut]);
  return apply(new TrainingReLU({ name: layerName(options, 'relu') }), sum);
}

/** conv → BN (→ ReLU) applied to `x`, named `conv{i}`, `bn{i}`, `relu{i}`. */
export function convBn<Key extends string>(
  x: tfl.SymbolicTensor,
  conv: (name: string) => tfl.layers.Layer,
  index: 1 | 2 | 3,
  options: BlockCommonOptions<Key>,
  { relu, zeroGamma = false }: { relu: boolean; zeroGamma?: boolean },
): tfl.SymbolicTensor {
  const o = options as BlockCommonOptions<string>;
  let y = apply(conv(layerName(o, `conv${index}`)), x);
  y = apply(batchNorm(layerName(o, `bn${index}`), zeroGamma), y);
  return relu ? apply(new TrainingReLU({ name: layerName(o, `relu${index}`) }), y) : y;
}
