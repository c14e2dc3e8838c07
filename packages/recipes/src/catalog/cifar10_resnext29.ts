import type { RecipeConfig } from '../config/recipe_config.js';
import { CIFAR10_STATS } from './normalization.js';

/**
 * The paper's CIFAR-10 setting (Xie et al. 2017, §5.3): ResNeXt-29 8x64d, SGD Nesterov momentum
 * 0.9, lr 0.1, batch 128, weight decay 5e-4 on every weight (as the authors' fb.resnet.torch code),
 * 300 epochs with lr ÷10 at 50% and 75%, 4-pixel padded crop + flip.
 */
export const CIFAR10_RESNEXT29: RecipeConfig = {
  name: 'cifar10-resnext29',
  description: 'ResNeXt-29 8x64d on CIFAR-10, the paper recipe (300 epochs, lr 0.1 ÷10 at 50%/75%).',
  model: { name: 'resnext29_8x64d', inputShape: [32, 32, 3], numClasses: 10 },
  dataset: { kind: 'cifar10' },
  trainTransform: [{ kind: 'randomCrop', size: 32, padding: 4 }, { kind: 'flip' }, { kind: 'normalize', ...CIFAR10_STATS }],
  evalTransform: [{ kind: 'normalize', ...CIFAR10_STATS }],
  batchSize: 128,
  epochs: 300,
  optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4, noDecayOnBnAndBias: false },
  schedule: { kind: 'multistep', milestones: [0.5, 0.75], relative: true, gamma: 0.1 },
  labelSmoothing: 0,
  mixup: 0,
  cutmix: 0,
  ema: null,
  gradAccumulation: 1,
  seed: 0,
  backend: { name: 'wasm' },
  checkpointEverySteps: 100,
  finetune: null,
  quick: { epochs: 2, dataset: { kind: 'cifar10', trainLimit: 2048, testLimit: 1000 } },
};
