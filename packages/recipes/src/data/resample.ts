/**
 * Bilinear resampling with antialiasing, as PIL (and so torchvision on PIL images, the usual
 * ImageNet pipeline) and torch's `interpolate(..., antialias=True)` compute it: when shrinking by
 * a factor s the triangle filter is widened to s input pixels, so every input pixel contributes
 * instead of aliasing; when enlarging it is plain bilinear (align_corners = false). Separable:
 * one weight table per axis, then a horizontal and a vertical pass over typed arrays.
 */
import type { FloatImage } from './transforms.js';

/** Per output index: the first input index and `width` normalized weights (zero-padded). */
interface Taps {
  first: Int32Array;
  weights: Float64Array;
  width: number;
}

/** Filter taps to map the input span [start, start + inLen) onto outLen samples. */
export function bilinearTaps(start: number, inLen: number, outLen: number): Taps {
  const scale = inLen / outLen;
  const support = Math.max(scale, 1);
  const invScale = 1 / support;
  const width = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outLen);
  const weights = new Float64Array(outLen * width);
  for (let i = 0; i < outLen; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(Math.floor(center - support + 0.5), 0);
    const hi = Math.min(Math.floor(center + support + 0.5), inLen);
    let total = 0;
    for (let j = lo; j < hi; j++) {
      const wgt = Math.max(0, 1 - Math.abs((j - center + 0.5) * invScale));
      weights[i * width + j - lo] = wgt;
      total += wgt;
    }
    for (let j = i * width; j < i * width + hi - lo; j++) weights[j] = weights[j]! / total;
    first[i] = start + lo;
  }
  return { first, weights, width };
}

/**
 * Resamples the window (top, left, winH, winW) of `img` to outH × outW — the same as cropping the
 * window and resizing the crop: samples never reach outside the window.
 */
export function resizeWindow(img: FloatImage, top: number, left: number, winH: number, winW: number, outH: number, outW: number): FloatImage {
  const { width: w, channels: c, data } = img;
  const tx = bilinearTaps(left, winW, outW);
  const ty = bilinearTaps(top, winH, outH);
  // Horizontal pass: winH rows × outW columns.
  const rowLen = outW * c;
  const mid = new Float32Array(winH * rowLen);
  for (let y = 0; y < winH; y++) {
    const src = (top + y) * w * c;
    for (let x = 0; x < outW; x++) {
      const base = src + tx.first[x]! * c;
      const wBase = x * tx.width;
      for (let k = 0; k < c; k++) {
        let acc = 0;
        for (let t = 0; t < tx.width; t++) {
          const wgt = tx.weights[wBase + t]!;
          if (wgt !== 0) acc += wgt * data[base + t * c + k]!;
        }
        mid[y * rowLen + x * c + k] = acc;
      }
    }
  }
  // Vertical pass over whole rows of the intermediate image.
  const out = new Float32Array(outH * rowLen);
  for (let y = 0; y < outH; y++) {
    const firstRow = ty.first[y]! - top;
    const dst = y * rowLen;
    for (let t = 0; t < ty.width; t++) {
      const wgt = ty.weights[y * ty.width + t]!;
      if (wgt === 0) continue;
      const src = (firstRow + t) * rowLen;
      for (let i = 0; i < rowLen; i++) out[dst + i] = out[dst + i]! + wgt * mid[src + i]!;
    }
  }
  return { data: out, height: outH, width: outW, channels: c };
}
