import { weights } from '@resnext/pretrained';
import type { TransformSpec } from '../data/transforms.js';

/**
 * The normalization of the weights record `id`: training and evaluation normalize with the
 * statistics the published weights state, so a trained model is evaluated (and loaded with
 * `load()`) exactly as it was trained.
 */
function statsOf(id: string): { mean: number[]; std: number[] } {
  const { mean, std } = weights.get(id).preprocessing;
  return { mean: [...mean], std: [...std] };
}

/** Per-channel statistics of the datasets, on pixel values scaled to [0, 1]: Fashion-MNIST's, from its weights record. */
export const FASHION_MNIST_STATS = statsOf('resnext_fmnist');
/** CIFAR-10 training-set mean and standard deviation (no weights record states them). */
export const CIFAR10_STATS = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };
/** ImageNet statistics: torchvision's, as every pretrained ResNeXt record states them. */
export const IMAGENET_STATS = statsOf('resnext50_32x4d');

/** torchvision's ImageNet training pipeline: random-resized-crop 224 + flip + normalization. */
export const IMAGENET_TRAIN_TRANSFORM: TransformSpec[] = [{ kind: 'randomResizedCrop', size: 224 }, { kind: 'flip' }, { kind: 'normalize', ...IMAGENET_STATS }];
/** torchvision's ImageNet evaluation pipeline: resize 256, center crop 224, normalization. */
export const IMAGENET_EVAL_TRANSFORM: TransformSpec[] = [{ kind: 'resize', size: 256 }, { kind: 'centerCrop', size: 224 }, { kind: 'normalize', ...IMAGENET_STATS }];
