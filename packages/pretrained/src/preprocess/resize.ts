import { PRECISION_BITS, axisCoefficients, type AxisCoefficients, type Interpolation } from './resample_coefficients.js';
import type { RgbImage } from './rgb_image.js';

const HALF = 1 << (PRECISION_BITS - 1);

/** Fixed-point sum back to a byte: Pillow shifts (flooring) then clamps, and so must we to match it bit for bit. */
function toByte(sum: number): number {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Resamples rows `firstRow .. firstRow + rows - 1` of `image` along x into `c.start.length` columns. */
function resampleRows(image: RgbImage, firstRow: number, rows: number, c: AxisCoefficients): Uint8Array {
  const src = image.data;
  const width = c.start.length;
  const out = new Uint8Array(width * rows * 3);
  for (let y = 0; y < rows; y++) {
    const rowIn = (firstRow + y) * image.width * 3;
    const rowOut = y * width * 3;
    for (let x = 0; x < width; x++) {
      const k = x * c.taps;
      const n = c.count[x] as number;
      let p = rowIn + (c.start[x] as number) * 3;
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let i = 0; i < n; i++, p += 3) {
        const w = c.weights[k + i] as number;
        r += (src[p] as number) * w;
        g += (src[p + 1] as number) * w;
        b += (src[p + 2] as number) * w;
      }
      const o = rowOut + x * 3;
      out[o] = toByte(r);
      out[o + 1] = toByte(g);
      out[o + 2] = toByte(b);
    }
  }
  return out;
}

/** Copies columns `left .. left + width - 1` of rows `firstRow .. firstRow + rows - 1` (an axis that is not resampled). */
function copyColumns(image: RgbImage, left: number, width: number, firstRow: number, rows: number): Uint8Array {
  const out = new Uint8Array(width * rows * 3);
  for (let y = 0; y < rows; y++) {
    const from = ((firstRow + y) * image.width + left) * 3;
    out.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return out;
}

/** Resamples along y into `c.start.length` rows; `rowOffset` maps the coefficients' row indices into `src`. */
function resampleColumns(src: Uint8Array, width: number, rowOffset: number, c: AxisCoefficients): Uint8Array {
  const height = c.start.length;
  const stride = width * 3;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const k = y * c.taps;
    const n = c.count[y] as number;
    const first = ((c.start[y] as number) - rowOffset) * stride;
    for (let x = 0; x < stride; x++) {
      let sum = HALF;
      for (let i = 0, p = first + x; i < n; i++, p += stride) sum += (src[p] as number) * (c.weights[k + i] as number);
      out[y * stride + x] = toByte(sum);
    }
  }
  return out;
}

/** A rectangle of an image: columns `left .. left + width - 1`, rows `top .. top + height - 1`. */
export interface Region {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

const isSize = (n: number) => Number.isSafeInteger(n) && n >= 1;

/**
 * The `region` of what {@link resize} to `width × height` would return, computed without the rest:
 * the pixels are the same bit for bit (each output pixel depends only on its own position), while
 * time and memory follow the region and the input rows it reads, not the full output. This is
 * what keeps a center crop of a long, thin image cheap.
 */
export function resizeRegion(image: RgbImage, width: number, height: number, region: Region, interpolation: Interpolation): RgbImage {
  if (!isSize(width) || !isSize(height)) throw new RangeError(`resize: output size ${width}x${height} is not a positive integer size`);
  const { left, top } = region;
  if (!isSize(region.width) || !isSize(region.height) || !Number.isSafeInteger(left) || !Number.isSafeInteger(top) || left < 0 || top < 0 || left + region.width > width || top + region.height > height) {
    throw new RangeError(`resize: region ${region.width}x${region.height} at (${left}, ${top}) is not inside the ${width}x${height} output`);
  }
  const vertical = height !== image.height ? axisCoefficients(image.height, height, interpolation, top, region.height) : undefined;
  // The input rows the vertical pass reads (or, without one, the region's own rows).
  const firstRow = vertical ? (vertical.start[0] as number) : top;
  const endRow = vertical ? (vertical.start[region.height - 1] as number) + (vertical.count[region.height - 1] as number) : top + region.height;
  const rows =
    width !== image.width
      ? resampleRows(image, firstRow, endRow - firstRow, axisCoefficients(image.width, width, interpolation, left, region.width))
      : copyColumns(image, left, region.width, firstRow, endRow - firstRow);
  const pixels = vertical ? resampleColumns(rows, region.width, firstRow, vertical) : rows;
  return { data: pixels, width: region.width, height: region.height };
}

/**
 * Resizes to exactly `width × height` like Pillow's `Image.resize(size, BILINEAR | BICUBIC)` on an
 * RGB image, bit for bit: antialiased (the kernel widens by the shrink factor), separable,
 * horizontal pass first (on only the rows the vertical pass reads), with the intermediate rounded
 * to 8 bits as Pillow stores it. An axis whose size does not change is not resampled, as in
 * Pillow. The result is always a new image.
 */
export function resize(image: RgbImage, width: number, height: number, interpolation: Interpolation): RgbImage {
  if (!isSize(width) || !isSize(height)) throw new RangeError(`resize: output size ${width}x${height} is not a positive integer size`);
  return resizeRegion(image, width, height, { left: 0, top: 0, width, height }, interpolation);
}

/**
 * The size torchvision's `transforms.Resize(size)` (an int) gives: the shorter side becomes
 * `size`, the longer `int(size * long / short)` (truncated, in double precision as Python computes it).
 */
export function shorterSideSize(width: number, height: number, size: number): { width: number; height: number } {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`resize: size ${size} is not a positive integer`);
  const long = Math.trunc((size * Math.max(width, height)) / Math.min(width, height));
  return width <= height ? { width: size, height: long } : { width: long, height: size };
}

/**
 * torchvision's `transforms.Resize(size, interpolation)` on a PIL image: the shorter side is
 * resized to `size` keeping the aspect ratio, with Pillow's antialiased filter.
 */
export function resizeShorterSide(image: RgbImage, size: number, interpolation: Interpolation): RgbImage {
  const out = shorterSideSize(image.width, image.height, size);
  return resize(image, out.width, out.height, interpolation);
}
