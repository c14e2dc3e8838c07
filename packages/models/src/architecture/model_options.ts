/** Options of {@link createModel}. */
export interface ModelOptions {
  /** Classes of the classifier head. Default 1000. */
  numClasses?: number;
  /**
   * [height, width, channels]; height and width may be null for any size the network can take.
   * Default: the config's input size, 3 channels.
   */
  inputShape?: [number | null, number | null, number];
  /** Global pooling + classifier on top. Default true. */
  includeTop?: boolean;
  /** Global pooling when `includeTop` is false: 'avg', 'max', or none (the last feature map). Default none. */
  pooling?: 'avg' | 'max' | null;
  /** Dropout before the classifier. Default 0. */
  dropRate?: number;
  /** Start every block's last BatchNorm at gamma 0 (torchvision's `zero_init_residual`). Default false. */
  zeroInitResidual?: boolean;
  /** Return the four stage outputs (strides 4, 8, 16, 32) for detection/segmentation backbones. Default false. */
  features?: boolean;
  /** Model name. Default the config's name. */
  name?: string;
}

/** Thrown for options the builder cannot honour; the message names the option and value. */
export class ModelOptionsError extends Error {
  override name = 'ModelOptionsError';
}

/** Checks options and fills in defaults. */
export function resolveOptions(options: ModelOptions, defaultInputSize: number): Required<Omit<ModelOptions, 'name'>> & { name?: string } {
  const numClasses = options.numClasses ?? 1000;
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new ModelOptionsError(`numClasses must be a positive integer, got ${numClasses}.`);
  const inputShape = options.inputShape ?? [defaultInputSize, defaultInputSize, 3];
  if (
    inputShape.length !== 3 ||
    !Number.isInteger(inputShape[2]) ||
    inputShape[2] < 1 ||
    inputShape.slice(0, 2).some((d) => d !== null && (!Number.isInteger(d) || d < 1))
  ) {
    throw new ModelOptionsError(`inputShape must be [height | null, width | null, channels] with positive integers, got ${JSON.stringify(inputShape)}.`);
  }
  const dropRate = options.dropRate ?? 0;
  if (!(dropRate >= 0 && dropRate < 1)) throw new ModelOptionsError(`dropRate must be in [0, 1), got ${dropRate}.`);
  const pooling = options.pooling ?? null;
  if (pooling !== null && pooling !== 'avg' && pooling !== 'max') throw new ModelOptionsError(`pooling must be 'avg', 'max' or null, got ${JSON.stringify(pooling)}.`);
  return {
    numClasses,
    inputShape,
    includeTop: options.includeTop ?? true,
    pooling,
    dropRate,
    zeroInitResidual: options.zeroInitResidual ?? false,
    features: options.features ?? false,
    ...(options.name !== undefined && { name: options.name }),
  };
}
