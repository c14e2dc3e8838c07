import type * as tfl from '@tensorflow/tfjs-layers';
import { createModel } from './create_model.js';
import type { ModelOptions } from './model_options.js';

type Builder = (options?: ModelOptions) => tfl.LayersModel;
const builder =
  (name: string): Builder =>
  (options) =>
    createModel(name, options);

/** ResNeXt-18 with basic blocks whose inner 3x3 is twice as wide as the output (expansion 0.5). */
export const resnext18: Builder = builder('resnext18');
/** ResNeXt-34 with basic blocks whose inner 3x3 is twice as wide as the output (expansion 0.5). */
export const resnext34: Builder = builder('resnext34');
/** ResNeXt-50 32x4d (torchvision `resnext50_32x4d`). */
export const resnext50_32x4d: Builder = builder('resnext50_32x4d');
/** ResNeXt-101 32x4d (the paper's). */
export const resnext101_32x4d: Builder = builder('resnext101_32x4d');
/** ResNeXt-152 32x4d (the paper's). */
export const resnext152_32x4d: Builder = builder('resnext152_32x4d');
/** ResNeXt-101 32x8d (torchvision). */
export const resnext101_32x8d: Builder = builder('resnext101_32x8d');
/** ResNeXt-101 64x4d (torchvision). */
export const resnext101_64x4d: Builder = builder('resnext101_64x4d');
/** The paper's complexity-preserving ResNeXt-50 1x64d (= ResNet-50). */
export const resnext50_1x64d: Builder = builder('resnext50_1x64d');
/** The paper's complexity-preserving ResNeXt-50 2x40d. */
export const resnext50_2x40d: Builder = builder('resnext50_2x40d');
/** The paper's complexity-preserving ResNeXt-50 4x24d. */
export const resnext50_4x24d: Builder = builder('resnext50_4x24d');
/** The paper's complexity-preserving ResNeXt-50 8x14d. */
export const resnext50_8x14d: Builder = builder('resnext50_8x14d');
/** The paper's CIFAR ResNeXt-29 8x64d (pass numClasses: 10 or 100). */
export const resnext29_8x64d: Builder = builder('resnext29_8x64d');
/** The paper's CIFAR ResNeXt-29 16x64d (pass numClasses: 10 or 100). */
export const resnext29_16x64d: Builder = builder('resnext29_16x64d');
