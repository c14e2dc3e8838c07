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

/** The seed's basic-block ResNeXt: inner width 2× the output (expansion 0.5), no groups. */
function seedBasic(name: string, blocksPerStage: readonly number[]): ResNeXtConfig {
  return {
    name,
    block: 'basic',
    blocksPerStage,
    cardinality: 1,
    baseWidth: 64,
    stagePlanes: [128, 256, 512, 1024],
    expansion: 0.5,
    origin: 'ResNeXt.js seed',
    ...imagenetStem,
  };
}

/** Every built-in variant, in the order `listModels()` reports them. */
export const BUILTIN_VARIANTS: readonly ResNeXtConfig[] = Object.freeze([
  seedBasic('resnext18', [2, 2, 2, 2]),
  seedBasic('resnext34', [3, 4, 6, 3]),
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
].map((c) => Object.freeze(c)));
