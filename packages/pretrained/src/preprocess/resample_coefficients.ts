// Filter weights for one axis of an antialiased resize, computed the way Pillow's
// libImaging/Resample.c does (our own code, written from its documented algorithm): so that
// `Image.resize` under torchvision's `transforms.Resize` is reproduced to the last bit.

/** Resampling filters torchvision's eval transforms use. */
export type Interpolation = 'bilinear' | 'bicubic';

/** Pillow keeps coefficients as 32-bit integers with 22 fractional bits: 8 bits of pixel, 2 of headroom for negative lobes and overshoot. */
export const PRECISION_BITS = 22;

interface Filter {
  /** Half-width of the kernel at scale 1, in input pixels. */
  support: number;
  weight(x: number): number;
}

const FILTERS: Record<Interpolation, Filter> = {
  // Triangle.
  bilinear: {
    support: 1,
    weight(x) {
      const t = Math.abs(x);
      return t < 1 ? 1 - t : 0;
    },
  },
  // Keys' cubic convolution with a = -0.5; the expressions keep Pillow's operation order, since
  // reordering them changes the last bits of the weights and, after rounding, some pixels.
  bicubic: {
    support: 2,
    weight(x) {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
};

/** Per output pixel: the first input pixel, how many follow, and their fixed-point weights. */
export interface AxisCoefficients {
  /** First input index for each output index. */
  readonly start: Int32Array;
  /** Number of input pixels used for each output index (≤ `taps`). */
  readonly count: Int32Array;
  /** `outSize × taps` weights, scaled by 2^PRECISION_BITS and rounded half away from zero. */
  readonly weights: Int32Array;
  /** Row stride of `weights`. */
  readonly taps: number;
}

/** Per output pixel: the first input pixel, how many follow, and their weights before quantization. */
export interface AxisWeights {
  /** First input index for each output index. */
  readonly start: Int32Array;
  /** Number of input pixels used for each output index (≤ `taps`). */
  readonly count: Int32Array;
  /** `outSize × taps` weights, each output pixel's summing to 1 (zero past its `count`). */
  readonly weights: Float64Array;
  /** Row stride of `weights`. */
  readonly taps: number;
}

/**
 * Weights for resampling an axis of `inSize` pixels to `outSize`. When shrinking, the kernel is
 * stretched by the scale factor (that is the antialiasing: every input pixel contributes); each
 * output pixel's weights are normalized to sum to 1 in double precision. These are the weights of
 * the float resize (resize_float.ts); {@link axisCoefficients} quantizes them as Pillow does.
 *
 * Only output pixels `first .. first + count - 1` are computed (index 0 of the result is output
 * pixel `first`): each output pixel's weights depend on its own index alone, so a window of the
 * output costs what the window needs, and its values are those of the whole axis.
 */
export function axisWeights(inSize: number, outSize: number, interpolation: Interpolation, first = 0, count = outSize - first): AxisWeights {
  const filter = FILTERS[interpolation];
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const inverseFilterScale = 1 / filterScale;
  const starts = new Int32Array(count);
  const counts = new Int32Array(count);
  const weights = new Float64Array(count * taps);
  for (let k = 0; k < count; k++) {
    const center = (first + k + 0.5) * scale;
    // Truncation, as C's (int) cast does, of the rounded window edges.
    const begin = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - begin;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const w = filter.weight((i + begin - center + 0.5) * inverseFilterScale);
      weights[k * taps + i] = w;
      sum += w;
    }
    if (sum !== 0) for (let i = 0; i < n; i++) weights[k * taps + i] = weights[k * taps + i]! / sum;
    starts[k] = begin;
    counts[k] = n;
  }
  return { start: starts, count: counts, weights, taps };
}

/**
 * {@link axisWeights} in Pillow's fixed point: scaled by 2^PRECISION_BITS and rounded half away
 * from zero, for the resize that reproduces `Image.resize` bit for bit.
 */
export function axisCoefficients(inSize: number, outSize: number, interpolation: Interpolation, first = 0, count = outSize - first): AxisCoefficients {
  const { start, count: counts, weights: float, taps } = axisWeights(inSize, outSize, interpolation, first, count);
  const weights = new Int32Array(float.length);
  for (let i = 0; i < float.length; i++) {
    const w = float[i]!;
    weights[i] = Math.trunc(w < 0 ? w * (1 << PRECISION_BITS) - 0.5 : w * (1 << PRECISION_BITS) + 0.5);
  }
  return { start, count: counts, weights, taps };
}
