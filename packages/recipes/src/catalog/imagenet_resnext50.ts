import type { RecipeConfig } from '../config/recipe_config.js';
import { IMAGENET_EVAL_TRANSFORM, IMAGENET_TRAIN_TRANSFORM } from './normalization.js';

/**
 * The paper's ImageNet setting (Xie et al. 2017, §5.1, via fb.resnet.torch): ResNeXt-50 32x4d, SGD
 * Nesterov momentum 0.9, lr 0.1 per 256 images (linear scaling), weight decay 1e-4, 100 epochs with
 * lr ÷10 every 30, random-resized-crop 224 + flip; evaluation resize 256, center crop 224. Data: an
 * ImageFolder with `train/` and `val/`.
 */
export const IMAGENET_RESNEXT50: RecipeConfig = {
  name: 'imagenet-resnext50',
  description: 'ResNeXt-50 32x4d on an ImageNet-style image folder, the paper recipe (100 epochs, step ÷10 every 30).',
  model: { name: 'resnext50_32x4d', inputShape: [224, 224, 3], numClasses: 1000 },
  dataset: { kind: 'image-folder' },
  trainTransform: IMAGENET_TRAIN_TRANSFORM,
  evalTransform: IMAGENET_EVAL_TRANSFORM,
  batchSize: 256,
  lrReferenceBatch: 256,
  epochs: 100,
  optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4, noDecayOnBnAndBias: false },
  schedule: { kind: 'step', stepEpochs: 30, gamma: 0.1 },
  labelSmoothing: 0,
  mixup: 0,
  cutmix: 0,
  ema: null,
  gradAccumulation: 1,
  seed: 0,
  backend: { name: 'wasm' },
  checkpointEverySteps: 500,
  finetune: null,
  quick: { epochs: 1, batchSize: 32, dataset: { kind: 'image-folder', trainLimit: 256, testLimit: 128 } },
};
