/**
 * Resizing float images (HWC) with the antialiased filters of resample_coefficients.ts, in float
 * arithmetic: what torch's `interpolate(..., antialias=True)` computes, and what torchvision's PIL
 * pipeline computes before Pillow rounds to 8 bits. The training pipelines of @resnext/recipes
 * resize with it; evaluation of 8-bit photos uses the Pillow-exact integer resize (resize.ts).
 * Both take their weights from one function, axisWeights.
 */
import { axisWeights, type Interpolation } from './resample_coefficients.js';

/** Float pixels, HWC. */
export interface FloatImage {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/**
 * Resamples the window (top, left, winH, winW) of `img` to outH × outW, the same as cropping the
 * window and resizing the crop: samples never reach outside the window. Separable: a horizontal
 * pass over the window's rows, then a vertical pass over whole rows.
 */
export function resizeWindowFloat(
  img: FloatImage,
  top: number,
  left: number,
  winH: number,
  winW: number,
  outH: number,
  outW: number,
  interpolation: Interpolation = 'bilinear',
): FloatImage {
  const { width: w, channels: c, data } = img;
  const tx = axisWeights(winW, outW, interpolation);
  const ty = axisWeights(winH, outH, interpolation);
  const rowLen = outW * c;
  const mid = new Float32Array(winH * rowLen);
  for (let y = 0; y < winH; y++) {
    const src = (top + y) * w * c;
    for (let x = 0; x < outW; x++) {
      const base = src + (left + tx.start[x]!) * c;
      const wBase = x * tx.taps;
      const n = tx.count[x]!;
      for (let k = 0; k < c; k++) {
        let acc = 0;
        for (let t = 0; t < n; t++) {
          const wgt = tx.weights[wBase + t]!;
          if (wgt !== 0) acc += wgt * data[base + t * c + k]!;
        }
        mid[y * rowLen + x * c + k] = acc;
      }
    }
  }
  const out = new Float32Array(outH * rowLen);
  for (let y = 0; y < outH; y++) {
    const dst = y * rowLen;
    const n = ty.count[y]!;
    for (let t = 0; t < n; t++) {
      const wgt = ty.weights[y * ty.taps + t]!;
      if (wgt === 0) continue;
      const src = (ty.start[y]! + t) * rowLen;
      for (let i = 0; i < rowLen; i++) out[dst + i] = out[dst + i]! + wgt * mid[src + i]!;
    }
  }
  return { data: out, height: outH, width: outW, channels: c };
}
