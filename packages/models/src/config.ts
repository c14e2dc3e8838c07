/**
 * The data that describes one ResNeXt variant. A variant is a record, never a subclass:
 * one generic builder turns any config into a network (timm's `resnet.py` pattern).
 */

/** Residual block kinds. */
export type BlockKind =
  /** Basic block: two 3x3 convs, the inner one twice as wide as the output (expansion 0.5; ResNeXt-18/34). */
  | 'basic'
  /** 1x1 → grouped 3x3 (carries the stride) → 1x1, output = planes × expansion. */
  | 'bottleneck';

/** Stem kinds. */
export type StemKind =
  /** 7x7/2 conv + BN + ReLU + 3x3/2 max-pool (ImageNet). */
  | 'imagenet'
  /** 3x3/1 conv + BN + ReLU, no pooling (the paper's CIFAR ResNeXt-29). */
  | 'cifar';

/** A complete, serializable description of a ResNeXt architecture. */
export interface ResNeXtConfig {
  /** Canonical name, e.g. `resnext50_32x4d`. */
  readonly name: string;
  readonly block: BlockKind;
  /** Number of blocks in each stage; the stage count is this array's length. */
  readonly blocksPerStage: readonly number[];
  /** Number of groups in each grouped 3x3 convolution (1 = plain ResNet). */
  readonly cardinality: number;
  /** Width of one group at the first stage (the `d` of `32x4d`). */
  readonly baseWidth: number;
  /** `planes` of each stage (before expansion). */
  readonly stagePlanes: readonly number[];
  /** Output channels = planes × expansion. */
  readonly expansion: number;
  readonly stem: StemKind;
  /** Output channels of the stem convolution. */
  readonly stemWidth: number;
  /** Default input height and width. */
  readonly defaultInputSize: number;
  /** Where this architecture is defined (the paper, torchvision, or ResNeXt.js itself). */
  readonly origin: string;
}
