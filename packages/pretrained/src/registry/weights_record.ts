/** How an image is turned into the network's input for a given set of weights. */
export interface Preprocessing {
  /** Shorter side is resized to this before the center crop. */
  resizeSize: number;
  /** Side of the square center crop fed to the network. */
  cropSize: number;
  interpolation: 'bilinear' | 'bicubic';
  /**
   * Channels the network takes: 3 = RGB (default), 1 = luma (PIL's `convert('L')`, ITU-R 601-2),
   * taken after the resize and crop (for gray images, the same as before).
   */
  channels?: 1 | 3;
  /** Per-channel mean and standard deviation, on values scaled to [0, 1]; one entry per channel. */
  mean: readonly number[];
  std: readonly number[];
}

/** One downloadable file holding the weights. */
export interface WeightsSource {
  /**
   * Where the file is. `bundled:<file>` names a file shipped inside @resnext/pretrained's
   * `weights/` folder (read from the package, never downloaded or cached; works offline).
   */
  url: string;
  format: 'pth' | 'safetensors' | 'tfjs';
  /**
   * Integrity of the file. `sha256` is the full digest when the publisher gives it; torchvision
   * only publishes an 8-hex-digit prefix in the file name (`sha256Prefix`). A full digest is
   * pinned in the cache on the first download that matches the prefix (see docs/pretrained.md).
   */
  sha256?: string;
  sha256Prefix?: string;
  /** Size in bytes, where published. */
  bytes?: number;
}

/** A frozen, typed description of a set of pretrained weights (torchvision `Weights`, timm `PretrainedCfg`). */
export interface WeightsRecord {
  /** `arch.tag`, e.g. `resnext50_32x4d.tv2_in1k`. */
  readonly id: string;
  readonly arch: string;
  /** `recipe_dataset`, e.g. `tv2_in1k`. */
  readonly tag: string;
  /** Mirrors: tried in order. */
  readonly sources: readonly WeightsSource[];
  readonly license: string;
  /** True for licenses that forbid commercial use (the fb_* semi-/weakly-supervised weights). */
  readonly nonCommercial: boolean;
  /** Who trained them and how. */
  readonly origin: string;
  /** Published ImageNet-1k validation accuracy, percent, single crop at `preprocessing.cropSize`. */
  readonly metrics: { readonly top1: number; readonly top5?: number };
  readonly preprocessing: Readonly<Preprocessing>;
  /** Number of classes and their label set. */
  readonly classes: { readonly count: number; readonly labels: 'imagenet-1k' | 'fashion-mnist' };
}
