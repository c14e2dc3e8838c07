import * as tfl from '@tensorflow/tfjs-layers';
import { GroupConv2D, batchNorm, kaimingNormalFanOut } from '@resnext/layers';
import type { ResNeXtConfig } from '../config.js';

/**
 * The stem, with torchvision's names (`conv1`, `bn1`, `relu`, `maxpool`) and PyTorch's symmetric
 * padding. ImageNet: 7x7/2 conv (pad 3) + BN + ReLU + 3x3/2 max-pool (pad 1). CIFAR: 3x3/1 conv
 * (pad 1) + BN + ReLU.
 */
export function stem(input: tfl.SymbolicTensor, config: ResNeXtConfig): tfl.SymbolicTensor {
  const imagenet = config.stem === 'imagenet';
  const k = imagenet ? 7 : 3;
  const p = (k - 1) / 2;
  const conv = new GroupConv2D({
    name: 'conv1',
    filters: config.stemWidth,
    kernelSize: k,
    strides: imagenet ? 2 : 1,
    padding: [
      [p, p],
      [p, p],
    ],
    useBias: false,
    kernelInitializer: kaimingNormalFanOut(),
  });
  let y = conv.apply(input) as tfl.SymbolicTensor;
  y = batchNorm('bn1').apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.reLU({ name: 'relu' }).apply(y) as tfl.SymbolicTensor;
  if (!imagenet) return y;
  // PyTorch pads max-pooling with -inf; after the ReLU every value is ≥ 0, so zero padding
  // gives the same maxima.
  y = tfl.layers.zeroPadding2d({ name: 'maxpool.pad', padding: 1 }).apply(y) as tfl.SymbolicTensor;
  return tfl.layers.maxPooling2d({ name: 'maxpool', poolSize: 3, strides: 2, padding: 'valid' }).apply(y) as tfl.SymbolicTensor;
}
