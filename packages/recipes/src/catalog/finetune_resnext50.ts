import type { RecipeConfig } from '../config/recipe_config.js';
import { IMAGENET_EVAL_TRANSFORM, IMAGENET_TRAIN_TRANSFORM } from './normalization.js';

/**
 * Transfer learning: ImageNet-pretrained ResNeXt-50 32x4d (torchvision V1 weights) with a new head
 * for an image folder's classes. The backbone stays frozen for the first epochs (only the head
 * learns), then trains at a tenth of the head's rate; cosine schedule; ImageNet preprocessing.
 */
export const FINETUNE_RESNEXT50: RecipeConfig = {
  name: 'finetune-resnext50',
  description: 'Fine-tune ImageNet ResNeXt-50 32x4d on an image folder: new head, backbone frozen for 2 epochs, then lr × 0.1.',
  model: { name: 'resnext50_32x4d', inputShape: [224, 224, 3], numClasses: 1000 },
  dataset: { kind: 'image-folder' },
  trainTransform: IMAGENET_TRAIN_TRANSFORM,
  evalTransform: IMAGENET_EVAL_TRANSFORM,
  batchSize: 32,
  epochs: 10,
  optimizer: { kind: 'sgd', lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4, noDecayOnBnAndBias: true },
  schedule: { kind: 'cosine' },
  labelSmoothing: 0.1,
  mixup: 0,
  cutmix: 0,
  ema: null,
  gradAccumulation: 1,
  seed: 0,
  backend: { name: 'wasm' },
  checkpointEverySteps: 200,
  finetune: { weights: 'resnext50_32x4d.tv_in1k', newHead: true, freezeBackboneEpochs: 2, backboneLrScale: 0.1 },
  quick: { epochs: 3, dataset: { kind: 'image-folder', trainLimit: 128, testLimit: 64 } },
};
