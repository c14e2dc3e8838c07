import type { RecipeConfig } from '../config/recipe_config.js';
import { FASHION_MNIST_STATS } from './normalization.js';

/**
 * A small ResNeXt (`resnext_fmnist`) on Fashion-MNIST, sized for CPU training in TF.js: SGD
 * Nesterov with a one-cycle schedule, label smoothing, weight decay off BN and biases, crop + flip.
 */
export const FASHION_MNIST_RESNEXT: RecipeConfig = {
  name: 'fashion-mnist-resnext',
  description: 'Small ResNeXt on Fashion-MNIST 28x28 grey, one-cycle SGD-Nesterov, label smoothing 0.1, crop + flip.',
  model: { name: 'resnext_fmnist', inputShape: [28, 28, 1], numClasses: 10 },
  dataset: { kind: 'fashion-mnist' },
  trainTransform: [{ kind: 'randomCrop', size: 28, padding: 2 }, { kind: 'flip' }, { kind: 'normalize', ...FASHION_MNIST_STATS }],
  evalTransform: [{ kind: 'normalize', ...FASHION_MNIST_STATS }],
  batchSize: 128,
  // 13 epochs ≈ 91 min at the measured 150 img/s (docs/benchmarks.md): 2 h with a 15% margin.
  epochs: 13,
  optimizer: { kind: 'sgd', lr: 0.15, momentum: 0.9, nesterov: true, weightDecay: 5e-4, noDecayOnBnAndBias: true },
  // Linear warm-up over the first 15% of the steps, then cosine to zero (the PyTorch twin in
  // tools/bench/train_pytorch.py uses the same schedule).
  schedule: { kind: 'onecycle', warmupEpochs: 1.95 },
  labelSmoothing: 0.1,
  mixup: 0,
  cutmix: 0,
  ema: null,
  gradAccumulation: 1,
  seed: 0,
  backend: { name: 'wasm', threads: 2 },
  checkpointEverySteps: 100,
  finetune: null,
  quick: { epochs: 4, schedule: { kind: 'onecycle', warmupEpochs: 0.6 } },
};
