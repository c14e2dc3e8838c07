import type { RgbImage } from './rgb_image.js';

/**
 * torchvision's `ToTensor()` then `Normalize(mean, std)` on an 8-bit RGB image, laid out NHWC for
 * tfjs: `(v / 255 - mean[c]) / std[c]`. Each step is rounded to float32 as PyTorch computes it in
 * float32, so a 256-entry table per channel gives the same numbers.
 */
export function normalizeToFloat32(image: RgbImage, mean: readonly [number, number, number], std: readonly [number, number, number]): Float32Array {
  const f = Math.fround;
  const table = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const m = f(mean[c] as number);
    const s = f(std[c] as number);
    for (let v = 0; v < 256; v++) table[c * 256 + v] = f(f(f(v / 255) - m) / s);
  }
  const { data } = image;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i += 3) {
    out[i] = table[data[i] as number] as number;
    out[i + 1] = table[256 + (data[i + 1] as number)] as number;
    out[i + 2] = table[512 + (data[i + 2] as number)] as number;
  }
  return out;
}
