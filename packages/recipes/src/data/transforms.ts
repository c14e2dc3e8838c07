/**
 * Input pipelines as data. A recipe lists `TransformSpec`s (JSON-serializable); `buildTransform`
 * turns them into one function from an 8-bit image to float32 HWC values. Geometry runs on float
 * pixel values 0–255 (padding is black, as torchvision pads PIL images with 0); `normalize` or, by
 * default, a final `/ 255` gives the network's input (ToTensor + Normalize).
 */
import { resizeWindowFloat, type FloatImage } from '@resnext/pretrained';
import type { Rng } from './rng.js';
import type { LabeledImage } from './source.js';

export type { FloatImage } from '@resnext/pretrained';

/** One step of an input pipeline. */
export type TransformSpec =
  /** torchvision RandomCrop(size, padding): zero padding on every side, then a random size×size window. */
  | { kind: 'randomCrop'; size: number; padding?: number }
  /** RandomHorizontalFlip(p), p default 0.5. */
  | { kind: 'flip'; p?: number }
  /** RandomResizedCrop(size, scale, ratio), bilinear with antialiasing (as torchvision on PIL images). */
  | { kind: 'randomResizedCrop'; size: number; scale?: [number, number]; ratio?: [number, number] }
  /** Resize(size): the shorter side to `size`, bilinear with antialiasing. */
  | { kind: 'resize'; size: number }
  /** CenterCrop(size). */
  | { kind: 'centerCrop'; size: number }
  /** ToTensor + Normalize(mean, std), one entry per channel. */
  | { kind: 'normalize'; mean: number[]; std: number[] };

/** A built pipeline: from an 8-bit image to the network's float input. */
export type Transform = (image: LabeledImage, rng: Rng) => FloatImage;

/** Thrown for an invalid pipeline; names the step. */
export class TransformError extends Error {
  override name = 'TransformError';
}

/** A zero-padded random crop (padding 0: a plain random crop). */
export function randomCrop(img: FloatImage, size: number, padding: number, rng: Rng): FloatImage {
  const { height: h, width: w, channels: c, data } = img;
  if (size > h + 2 * padding || size > w + 2 * padding) throw new TransformError(`randomCrop: ${size} is larger than the padded ${h + 2 * padding}×${w + 2 * padding} image`);
  const oy = rng.int(h + 2 * padding - size + 1) - padding;
  const ox = rng.int(w + 2 * padding - size + 1) - padding;
  const out = new Float32Array(size * size * c);
  const x0 = Math.max(0, -ox);
  const x1 = Math.min(size, w - ox);
  for (let y = 0; y < size; y++) {
    const sy = y + oy;
    if (sy < 0 || sy >= h || x1 <= x0) continue;
    const from = (sy * w + ox + x0) * c;
    out.set(data.subarray(from, from + (x1 - x0) * c), (y * size + x0) * c);
  }
  return { data: out, height: size, width: size, channels: c };
}

/** Mirrors the image left–right. */
export function flipHorizontal(img: FloatImage): FloatImage {
  const { height: h, width: w, channels: c, data } = img;
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const from = (y * w + x) * c;
      const to = (y * w + (w - 1 - x)) * c;
      for (let k = 0; k < c; k++) out[to + k] = data[from + k]!;
    }
  }
  return { data: out, height: h, width: w, channels: c };
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * torchvision's RandomResizedCrop.get_params: the window (top, left, height, width) to resize.
 * Draws in the same order (area, log-ratio, top, left; up to 10 attempts), so fed the same
 * uniforms it returns the same boxes (checked against torchvision in transforms.test.ts).
 */
export function randomResizedCropBox(h: number, w: number, scale: [number, number], ratio: [number, number], rng: Rng): [number, number, number, number] {
  const area = h * w;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.range(scale[0], scale[1]);
    const aspect = Math.exp(rng.range(logRatio[0], logRatio[1]));
    const cw = roundHalfEven(Math.sqrt(target * aspect));
    const ch = roundHalfEven(Math.sqrt(target / aspect));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) return [rng.int(h - ch + 1), rng.int(w - cw + 1), ch, cw];
  }
  // Fallback: the central crop with the aspect ratio clamped into range.
  const inRatio = w / h;
  let cw = w;
  let ch = h;
  if (inRatio < Math.min(...ratio)) ch = roundHalfEven(w / Math.min(...ratio));
  else if (inRatio > Math.max(...ratio)) cw = roundHalfEven(h * Math.max(...ratio));
  return [Math.floor((h - ch) / 2), Math.floor((w - cw) / 2), ch, cw];
}

/** The shorter side to `size` (the longer side scaled with it, truncated like torchvision). */
function resizeShorter(img: FloatImage, size: number): FloatImage {
  const { height: h, width: w } = img;
  const [outH, outW] = h <= w ? [size, Math.floor((size * w) / h)] : [Math.floor((size * h) / w), size];
  return outH === h && outW === w ? img : resizeWindowFloat(img, 0, 0, h, w, outH, outW);
}

/** torchvision's CenterCrop offsets (round half to even of (size difference) / 2); smaller images are zero-padded. */
export function centerCrop(img: FloatImage, size: number): FloatImage {
  const { height: h, width: w, channels: c, data } = img;
  const top = roundHalfEven((h - size) / 2);
  const left = roundHalfEven((w - size) / 2);
  const out = new Float32Array(size * size * c);
  for (let y = 0; y < size; y++) {
    const sy = y + top;
    if (sy < 0 || sy >= h) continue;
    for (let x = 0; x < size; x++) {
      const sx = x + left;
      if (sx < 0 || sx >= w) continue;
      for (let k = 0; k < c; k++) out[(y * size + x) * c + k] = data[(sy * w + sx) * c + k]!;
    }
  }
  return { data: out, height: size, width: size, channels: c };
}

function checkSpec(spec: TransformSpec): void {
  const positive = (n: unknown) => Number.isInteger(n) && (n as number) > 0;
  switch (spec.kind) {
    case 'randomCrop':
      if (!positive(spec.size) || !(Number.isInteger(spec.padding ?? 0) && (spec.padding ?? 0) >= 0)) throw new TransformError(`randomCrop needs a positive size and padding ≥ 0, got ${JSON.stringify(spec)}`);
      return;
    case 'flip':
      if (!((spec.p ?? 0.5) >= 0 && (spec.p ?? 0.5) <= 1)) throw new TransformError(`flip p must be in [0, 1], got ${spec.p}`);
      return;
    case 'randomResizedCrop':
    case 'resize':
    case 'centerCrop':
      if (!positive(spec.size)) throw new TransformError(`${spec.kind} needs a positive integer size, got ${JSON.stringify(spec)}`);
      return;
    case 'normalize':
      if (spec.mean.length === 0 || spec.mean.length !== spec.std.length || spec.std.some((s) => !(s > 0))) {
        throw new TransformError(`normalize needs as many positive std as mean values, got ${JSON.stringify(spec)}`);
      }
      return;
    default:
      throw new TransformError(`unknown transform ${JSON.stringify(spec)}`);
  }
}

/** The output [height, width] of a pipeline for inputs of `shape` (null: depends on the image). */
export function outputSize(specs: readonly TransformSpec[], shape: readonly [number, number, number] | null): [number, number] | null {
  let size: [number, number] | null = shape === null ? null : [shape[0], shape[1]];
  for (const s of specs) {
    if (s.kind === 'randomCrop' || s.kind === 'randomResizedCrop' || s.kind === 'centerCrop') size = [s.size, s.size];
    else if (s.kind === 'resize') size = size === null || size[0] !== size[1] ? null : [s.size, s.size];
  }
  return size;
}

/** Builds the pipeline `specs` describe, validating every step first. */
export function buildTransform(specs: readonly TransformSpec[]): Transform {
  specs.forEach(checkSpec);
  if (specs.some((s, i) => s.kind === 'normalize' && i !== specs.length - 1)) throw new TransformError('normalize must be the last transform');
  const last = specs[specs.length - 1];
  return (image, rng) => {
    const { pixels, height, width, channels } = image;
    if (pixels.length !== height * width * channels) throw new TransformError(`image of ${pixels.length} values is not ${height}×${width}×${channels}`);
    let img: FloatImage = { data: Float32Array.from(pixels), height, width, channels };
    for (const s of specs) {
      if (s.kind === 'randomCrop') img = randomCrop(img, s.size, s.padding ?? 0, rng);
      else if (s.kind === 'flip') img = rng.uniform() < (s.p ?? 0.5) ? flipHorizontal(img) : img;
      else if (s.kind === 'randomResizedCrop') {
        const [top, left, ch, cw] = randomResizedCropBox(img.height, img.width, s.scale ?? [0.08, 1], s.ratio ?? [3 / 4, 4 / 3], rng);
        img = resizeWindowFloat(img, top, left, ch, cw, s.size, s.size);
      } else if (s.kind === 'resize') img = resizeShorter(img, s.size);
      else if (s.kind === 'centerCrop') img = centerCrop(img, s.size);
    }
    const out = img.data;
    if (last?.kind === 'normalize') {
      if (last.mean.length !== img.channels) throw new TransformError(`normalize has ${last.mean.length} means for a ${img.channels}-channel image`);
      const f = Math.fround;
      const c = img.channels;
      const mean = last.mean.map(f);
      const std = last.std.map(f);
      for (let i = 0; i < out.length; i++) out[i] = f(f(f(out[i]! / 255) - mean[i % c]!) / std[i % c]!);
    } else {
      for (let i = 0; i < out.length; i++) out[i] = out[i]! / 255;
    }
    return img;
  };
}
