/**
 * A recipe: everything a training run depends on, as plain JSON-serializable data. One trainer
 * runs any recipe; the resolved recipe is written to the run directory as `config.json`.
 */
import type { ResNeXtConfig } from '@resnext/models';
import type { TransformSpec } from '../data/transforms.js';

/** Which network to train. */
export interface ModelSpec {
  /** A name from the @resnext/models registry, e.g. `resnext29_8x64d`. */
  name: string;
  /**
   * An architecture given inline instead of by registry name (tests, experiments); when set,
   * `name` only labels the run.
   */
  config?: ResNeXtConfig;
  /** [height, width, channels] of the network input (after the eval transform). */
  inputShape: [number, number, number];
  /** Classes of the head. For an image folder the trainer takes the folder's class count. */
  numClasses: number;
  /** Extra builder options: dropout before the classifier, zero-initialized residual BN. */
  options?: { dropRate?: number; zeroInitResidual?: boolean };
}

/** Where the images come from. */
export interface DatasetSpec {
  kind: 'fashion-mnist' | 'cifar10' | 'cifar100' | 'image-folder';
  /**
   * Data directory. Fashion-MNIST: the IDX files (default: Debian's package or
   * $FASHION_MNIST_DIR); CIFAR: the binary batches; image-folder: a folder holding `train/` and `val/`.
   */
  dir?: string;
  /** Use only the first N training examples (smoke runs, `--quick`). */
  trainLimit?: number;
  /** Use only the first N evaluation examples. */
  testLimit?: number;
}

/** SGD with (Nesterov) momentum, PyTorch's update rule (`torch.optim.SGD`, dampening 0). */
export interface SgdSpec {
  kind: 'sgd';
  lr: number;
  momentum: number;
  nesterov: boolean;
  /** L2 penalty added to the gradient (PyTorch's `weight_decay`). */
  weightDecay: number;
  /** Leave BatchNorm parameters and biases undecayed (every 1-D parameter). */
  noDecayOnBnAndBias: boolean;
}

/** AdamW with decoupled weight decay, PyTorch's update rule (`torch.optim.AdamW`, no amsgrad). */
export interface AdamWSpec {
  kind: 'adamw';
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** Leave BatchNorm parameters and biases undecayed. Default true. */
  noDecayOnBnAndBias?: boolean;
}

/** Optimizer settings. */
export type OptimizerSpec = SgdSpec | AdamWSpec;

/**
 * Learning-rate schedule, evaluated at every optimizer step as a function of the fractional epoch.
 * A linear warmup from `warmupStartFactor`·lr (default 0.1) to lr over `warmupEpochs` (default 0)
 * precedes any kind.
 */
export type ScheduleSpec = (
  | { kind: 'constant' }
  /** lr · gamma^⌊epoch / stepEpochs⌋. */
  | { kind: 'step'; stepEpochs: number; gamma: number }
  /**
   * lr · gamma^(number of milestones ≤ epoch); milestones in epochs, or with `relative` in
   * fractions of the run (so `--epochs` moves them: the paper's ÷10 at 50% and 75%).
   */
  | { kind: 'multistep'; milestones: number[]; gamma: number; relative?: boolean }
  /** Half-cosine from lr (after warmup) down to `minLrFactor`·lr (default 0) at the end of training. */
  | { kind: 'cosine'; minLrFactor?: number }
  /**
   * One-cycle: linear warmup from lr/`divFactor` to lr over `warmupEpochs`, then a cosine down to
   * lr/(divFactor·finalDivFactor) at the end (PyTorch's OneCycleLR with a linear ramp up and a cosine
   * anneal). Defaults: divFactor 25, finalDivFactor 1e4, warmupEpochs 30% of the epochs.
   */
  | { kind: 'onecycle'; divFactor?: number; finalDivFactor?: number }
) & { warmupEpochs?: number; warmupStartFactor?: number };

/** Fine-tuning from pretrained weights. */
export interface FinetuneSpec {
  /**
   * A weights id from @resnext/pretrained's registry (`resnext50_32x4d.tv2_in1k`), or a path/URL of
   * a torchvision/timm checkpoint (.pth or .safetensors).
   */
  weights: string;
  /** Replace the classifier (`fc`) with a freshly initialized one for `model.numClasses`. */
  newHead: boolean;
  /** Epochs during which only the head trains. */
  freezeBackboneEpochs: number;
  /** Learning-rate factor of the backbone once unfrozen. */
  backboneLrScale: number;
}

/** A complete recipe. */
export interface RecipeConfig {
  name: string;
  description: string;
  model: ModelSpec;
  dataset: DatasetSpec;
  /** Training-time pipeline (augmentation), in order. */
  trainTransform: TransformSpec[];
  /** Evaluation pipeline. */
  evalTransform: TransformSpec[];
  /** Images per optimizer step (split into `gradAccumulation` micro-batches). */
  batchSize: number;
  /**
   * Linear scaling rule: when set, `optimizer.lr` is the rate for this batch size and the run uses
   * lr × batchSize / lrReferenceBatch (Goyal et al.; the ResNeXt paper's 0.1 per 256 images).
   */
  lrReferenceBatch?: number;
  epochs: number;
  optimizer: OptimizerSpec;
  schedule: ScheduleSpec;
  /** ε of label smoothing: targets become (1 − ε)·t + ε/K. 0 = off. */
  labelSmoothing: number;
  /** Mixup α (0 = off). */
  mixup: number;
  /** CutMix α (0 = off). */
  cutmix: number;
  /** Exponential moving average of the weights, evaluated alongside the raw weights. */
  ema: { decay: number } | null;
  /** Micro-batches per optimizer step; each holds batchSize / gradAccumulation images. */
  gradAccumulation: number;
  /** Fixes the initialization, the data order and every augmentation. */
  seed: number;
  /** tfjs backend (via @resnext/backends' useBackend) and, for wasm, its thread count. */
  backend: { name: 'wasm' | 'cpu' | 'webgl' | 'webgpu' | 'node' | 'node-gpu' | 'tensorflow'; threads?: number };
  /** Write a resumable checkpoint every N optimizer steps (and at the end of every epoch). 0 = epochs only. */
  checkpointEverySteps: number;
  finetune: FinetuneSpec | null;
  /** Overrides applied by `--quick`: a short run that checks the whole pipeline. */
  quick?: Partial<Omit<RecipeConfig, 'quick'>>;
}
