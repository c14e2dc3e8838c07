import type { TransformSpec } from '../data/transforms.js';

/** Per-channel statistics of the datasets, on pixel values scaled to [0, 1]. */
export const FASHION_MNIST_STATS = { mean: [0.286], std: [0.353] };
/** CIFAR-10 training-set mean and standard deviation. */
export const CIFAR10_STATS = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };
/** ImageNet statistics (torchvision's, used by every pretrained ResNeXt). */
export const IMAGENET_STATS = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** torchvision's ImageNet training pipeline: random-resized-crop 224 + flip + normalization. */
export const IMAGENET_TRAIN_TRANSFORM: TransformSpec[] = [{ kind: 'randomResizedCrop', size: 224 }, { kind: 'flip' }, { kind: 'normalize', ...IMAGENET_STATS }];
/** torchvision's ImageNet evaluation pipeline: resize 256, center crop 224, normalization. */
export const IMAGENET_EVAL_TRANSFORM: TransformSpec[] = [{ kind: 'resize', size: 256 }, { kind: 'centerCrop', size: 224 }, { kind: 'normalize', ...IMAGENET_STATS }];
