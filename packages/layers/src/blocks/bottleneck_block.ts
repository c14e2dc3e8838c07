import type * as tfl from '@tensorflow/tfjs-layers';
import { GroupConvError } from '../errors.js';
import {
  channelsOf,
  checkPositiveInteger,
  conv1x1,
  conv3x3,
  convBn,
  kaimingNormalFanOut,
  residualOutput,
  type BlockCommonOptions,
} from './block_layers.js';

/** Names of the layers of a bottleneck block, relative to its prefix (torchvision's module names where it has parameters). */
export type BottleneckLayerKey =
  | 'conv1'
  | 'bn1'
  | 'relu1'
  | 'conv2'
  | 'bn2'
  | 'relu2'
  | 'conv3'
  | 'bn3'
  | 'downsample.0'
  | 'downsample.1'
  | 'add'
  | 'relu';

/** Options of {@link bottleneckBlock}. */
export interface BottleneckBlockOptions extends BlockCommonOptions<BottleneckLayerKey> {
  /** torchvision's `planes`: 64, 128, 256, 512 in the four stages. The block outputs planes × expansion channels. */
  planes: number;
  /** Groups of the 3x3 convolution (ResNeXt's C). Default 1 (a ResNet bottleneck). */
  cardinality?: number;
  /** Width per group at planes = 64 (ResNeXt's d, the "4" of 32x4d). Default 64. */
  baseWidth?: number;
  /** Output channels per plane. Default 4. */
  expansion?: number;
}

/**
 * torchvision's ResNeXt bottleneck (`torchvision.models.resnet.Bottleneck`) on a functional-API
 * tensor: 1x1 conv → BN → ReLU → 3x3 grouped conv (groups = cardinality, carrying the stride)
 * → BN → ReLU → 1x1 conv → BN, plus the shortcut (1x1 conv with the stride + BN when the stride
 * is not 1 or the channels change, else identity), then ReLU.
 * Inner width = ⌊planes · baseWidth / 64⌋ · cardinality; output channels = planes · expansion.
 *
 * @example
 * ```ts
 * // resnext50_32x4d, first block of stage 2: 256 → 512 channels, stride 2.
 * const y = bottleneckBlock(x, { prefix: 'layer2.0', planes: 128, stride: 2, cardinality: 32, baseWidth: 4 });
 * ```
 */
export function bottleneckBlock(input: tfl.SymbolicTensor, options: BottleneckBlockOptions): tfl.SymbolicTensor {
  const { planes, stride = 1, cardinality = 1, baseWidth = 64, expansion = 4 } = options;
  for (const [what, value] of Object.entries({ planes, stride, cardinality, baseWidth, expansion })) {
    checkPositiveInteger(`bottleneckBlock '${options.prefix}': ${what}`, value);
  }
  const width = Math.floor((planes * baseWidth) / 64) * cardinality;
  if (width === 0) {
    throw new GroupConvError(
      `bottleneckBlock '${options.prefix}': inner width ⌊planes · baseWidth / 64⌋ · cardinality is 0 ` +
        `(planes ${planes}, baseWidth ${baseWidth}).`,
    );
  }
  channelsOf(input);
  const init = options.kernelInitializer ?? kaimingNormalFanOut();
  let y = convBn(input, (name) => conv1x1(name, width, 1, init), 1, options, { relu: true });
  y = convBn(y, (name) => conv3x3(name, width, stride, cardinality, init), 2, options, { relu: true });
  y = convBn(y, (name) => conv1x1(name, planes * expansion, 1, init), 3, options, {
    relu: false,
    zeroGamma: options.zeroInitResidual ?? false,
  });
  return residualOutput(input, y, { ...options, kernelInitializer: init });
}
