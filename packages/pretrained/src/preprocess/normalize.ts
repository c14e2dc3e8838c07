import type { RgbImage } from './rgb_image.js';

/** A 256-entry table per channel: `(v / 255 - mean) / std`, each step rounded to float32 as PyTorch computes it. */
function normalizationTable(mean: readonly number[], std: readonly number[]): Float32Array {
  const f = Math.fround;
  const table = new Float32Array(mean.length * 256);
  for (let c = 0; c < mean.length; c++) {
    const m = f(mean[c] as number);
    const s = f(std[c] as number);
    for (let v = 0; v < 256; v++) table[c * 256 + v] = f(f(f(v / 255) - m) / s);
  }
  return table;
}

function checkStatistics(channels: number, mean: readonly number[], std: readonly number[]): void {
  if (mean.length !== channels || std.length !== channels) {
    throw new RangeError(`normalization needs ${channels} mean and std values, got ${mean.length} and ${std.length}`);
  }
}

/**
 * torchvision's `ToTensor()` then `Normalize(mean, std)` on an 8-bit RGB image, laid out NHWC for
 * tfjs: `(v / 255 - mean[c]) / std[c]`. Each step is rounded to float32 as PyTorch computes it in
 * float32, so a 256-entry table per channel gives the same numbers.
 */
export function normalizeToFloat32(image: RgbImage, mean: readonly number[], std: readonly number[]): Float32Array {
  checkStatistics(3, mean, std);
  return normalizeInterleavedToFloat32(image.data, mean, std);
}

/**
 * `ToTensor()` then `Normalize(mean, std)` on interleaved 8-bit pixels with `mean.length` channels
 * (e.g. a batch of 28×28 gray Fashion-MNIST images with one mean and std), float32-exact like
 * {@link normalizeToFloat32}.
 */
export function normalizeInterleavedToFloat32(data: Uint8Array, mean: readonly number[], std: readonly number[]): Float32Array {
  checkStatistics(mean.length, mean, std);
  const channels = mean.length;
  if (channels === 0 || data.length % channels !== 0) throw new RangeError(`${data.length} values are not whole pixels of ${channels} channels`);
  const table = normalizationTable(mean, std);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = table[(i % channels) * 256 + (data[i] as number)] as number;
  return out;
}

/**
 * PIL's `convert('L')` (ITU-R 601-2 luma in 16-bit fixed point, rounded), then `ToTensor()` and
 * `Normalize(mean, std)`: one value per pixel.
 */
export function normalizeLumaToFloat32(image: RgbImage, mean: readonly number[], std: readonly number[]): Float32Array {
  checkStatistics(1, mean, std);
  const table = normalizationTable(mean, std);
  const { data } = image;
  const out = new Float32Array(data.length / 3);
  for (let i = 0, j = 0; i < data.length; i += 3, j++) {
    const luma = ((data[i] as number) * 19595 + (data[i + 1] as number) * 38470 + (data[i + 2] as number) * 7471 + 0x8000) >> 16;
    out[j] = table[luma] as number;
  }
  return out;
}
