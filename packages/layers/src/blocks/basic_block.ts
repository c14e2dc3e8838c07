import type * as tfl from '@tensorflow/tfjs-layers';
import { GroupConvError } from '../errors.js';
import {
  channelsOf,
  checkPositiveInteger,
  conv3x3,
  convBn,
  kaimingNormalFanOut,
  residualOutput,
  type BlockCommonOptions,
} from './block_layers.js';

/** Names of the layers of a basic block, relative to its prefix. */
export type BasicLayerKey = 'conv1' | 'bn1' | 'relu1' | 'conv2' | 'bn2' | 'downsample.0' | 'downsample.1' | 'add' | 'relu';

/** Options of {@link basicBlock}. */
export interface BasicBlockOptions extends BlockCommonOptions<BasicLayerKey> {
  /** Width of the inner 3x3 convolution: 128, 256, 512, 1024 in ResNeXt-18/34's stages. */
  planes: number;
  /** Output channels = planes × expansion. Default 0.5 (ResNeXt-18/34). */
  expansion?: number;
}

/**
 * The basic residual block of ResNeXt-18/34 on a functional-API tensor:
 * 3x3 conv (→ planes, carrying the stride) → BN → ReLU → 3x3 conv (→ planes · expansion) → BN,
 * plus the shortcut (identity when the shape is kept, else 1x1 conv with the stride + BN), then
 * ReLU. With the default expansion 0.5 the inner width is twice the output width, which
 * torchvision's BasicBlock does not allow; parameter counts equal PyTorch's for the same network
 * (ResNeXt-18: 22,678,824 with a 7x7 stem and a 1000-class head).
 */
export function basicBlock(input: tfl.SymbolicTensor, options: BasicBlockOptions): tfl.SymbolicTensor {
  const { planes, stride = 1, expansion = 0.5 } = options;
  checkPositiveInteger(`basicBlock '${options.prefix}': planes`, planes);
  checkPositiveInteger(`basicBlock '${options.prefix}': stride`, stride);
  const outChannels = planes * expansion;
  if (!Number.isInteger(outChannels) || outChannels < 1) {
    throw new GroupConvError(
      `basicBlock '${options.prefix}': planes × expansion must be a positive integer, got ${planes} × ${expansion}.`,
    );
  }
  channelsOf(input);
  const init = options.kernelInitializer ?? kaimingNormalFanOut();
  let y = convBn(input, (name) => conv3x3(name, planes, stride, 1, init), 1, options, { relu: true });
  y = convBn(y, (name) => conv3x3(name, outChannels, 1, 1, init), 2, options, {
    relu: false,
    zeroGamma: options.zeroInitResidual ?? false,
  });
  return residualOutput(input, y, { ...options, kernelInitializer: init });
}
