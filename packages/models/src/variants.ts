import type { ResNeXtConfig } from './config.js';

const imagenetStem = { stem: 'imagenet', stemWidth: 64, defaultInputSize: 224 } as const;
const bottleneckStages = { block: 'bottleneck', stagePlanes: [64, 128, 256, 512], expansion: 4 } as const;

/** torchvision-style bottleneck ResNeXt for ImageNet. */
function bottleneck(
  name: string,
  blocksPerStage: readonly number[],
  cardinality: number,
  baseWidth: number,
  origin: string,
): ResNeXtConfig {
  return { name, blocksPerStage, cardinality, baseWidth, origin, ...bottleneckStages, ...imagenetStem };
}

/** The paper's CIFAR ResNeXt-29: 3x3 stem of 64, three stages of three bottlenecks, planes 64/128/256. */
function cifar29(name: string, cardinality: number, baseWidth: number): ResNeXtConfig {
  return {
    name,
    block: 'bottleneck',
    blocksPerStage: [3, 3, 3],
    cardinality,
    baseWidth,
    stagePlanes: [64, 128, 256],
    expansion: 4,
    stem: 'cifar',
    stemWidth: 64,
    defaultInputSize: 32,
    origin: 'Xie et al. 2017, CIFAR',
  };
}

/**
 * Basic-block ResNeXt-18/34: ResNet-18/34's stage layout with an inner 3x3 twice as wide as the
 * output (expansion 0.5), no groups. torchvision's BasicBlock does not allow the wider inner width.
 */
function wideBasic(name: string, blocksPerStage: readonly number[]): ResNeXtConfig {
  return {
    name,
    block: 'basic',
    blocksPerStage,
    cardinality: 1,
    baseWidth: 64,
    stagePlanes: [128, 256, 512, 1024],
    expansion: 0.5,
    origin: 'ResNeXt.js, basic blocks with a 2× wide inner 3x3',
    ...imagenetStem,
  };
}

/**
 * A small ResNeXt for 28x28 grayscale images (Fashion-MNIST), sized so that a full
 * training run fits in two hours on tfjs-wasm with two threads: a 3x3/1 stem of 24, one bottleneck
 * per stage with cardinality 4 and group width 8/16/32 (inner widths 32/64/128, outputs
 * 64/128/256) at 28², 14² and 7²; 21.8 M MACs, 161 k parameters. Recipe and PyTorch twin:
 * tools/bench/train_pytorch.py.
 */
const fmnist: ResNeXtConfig = {
  name: 'resnext_fmnist',
  block: 'bottleneck',
  blocksPerStage: [1, 1, 1],
  cardinality: 4,
  baseWidth: 32,
  stagePlanes: [16, 32, 64],
  expansion: 4,
  stem: 'cifar',
  stemWidth: 24,
  defaultInputSize: 28,
  origin: 'ResNeXt.js, small ResNeXt for Fashion-MNIST 28x28',
};

/** Every built-in variant, in the order `listModels()` reports them. */
export const BUILTIN_VARIANTS: readonly ResNeXtConfig[] = Object.freeze([
  wideBasic('resnext18', [2, 2, 2, 2]),
  wideBasic('resnext34', [3, 4, 6, 3]),
  bottleneck('resnext50_32x4d', [3, 4, 6, 3], 32, 4, 'torchvision'),
  bottleneck('resnext101_32x4d', [3, 4, 23, 3], 32, 4, 'Xie et al. 2017'),
  bottleneck('resnext152_32x4d', [3, 8, 36, 3], 32, 4, 'Xie et al. 2017'),
  bottleneck('resnext101_32x8d', [3, 4, 23, 3], 32, 8, 'torchvision'),
  bottleneck('resnext101_64x4d', [3, 4, 23, 3], 64, 4, 'torchvision'),
  // The paper's complexity-preserving ResNeXt-50 family (Table 3).
  bottleneck('resnext50_1x64d', [3, 4, 6, 3], 1, 64, 'Xie et al. 2017, Table 3'),
  bottleneck('resnext50_2x40d', [3, 4, 6, 3], 2, 40, 'Xie et al. 2017, Table 3'),
  bottleneck('resnext50_4x24d', [3, 4, 6, 3], 4, 24, 'Xie et al. 2017, Table 3'),
  bottleneck('resnext50_8x14d', [3, 4, 6, 3], 8, 14, 'Xie et al. 2017, Table 3'),
  cifar29('resnext29_8x64d', 8, 64),
  cifar29('resnext29_16x64d', 16, 64),
  fmnist,
].map((c) => Object.freeze(c)));
