import * as tf from '@tensorflow/tfjs-core';
import type { Preprocessing } from '../registry/weights_record.js';
import type { BrowserImageSource } from './browser_pixels.js';
import type * as NodeDecoder from './decode_node.js';
import { ImageDecodeError } from './image_decode_error.js';
import { preprocessRgb } from './preprocess_rgb.js';
import { rgbFromImageData, type ImageDataLike, type RgbImage } from './rgb_image.js';
import { rgbFromTensor } from './tensor_pixels.js';

/**
 * Everything {@link preprocess} accepts. In Node: a file path, or the bytes of a JPEG, PNG or WebP
 * file (`Buffer`, `Uint8Array`, `ArrayBuffer`). Everywhere: a `[height, width, channels]` tensor of
 * 0..255 values, or an `ImageData`-like `{ data, width, height }`. In the browser also the bytes
 * (decoded by the browser), and `HTMLImageElement`, `HTMLCanvasElement`, `HTMLVideoElement`,
 * `ImageBitmap`, `OffscreenCanvas`.
 */
export type ImageInput = string | Uint8Array | ArrayBuffer | tf.Tensor3D | ImageDataLike | BrowserImageSource;

const isNode = (): boolean => typeof process !== 'undefined' && typeof process.versions?.node === 'string';

// The Node decoder's specifier is computed, and marked for Vite and webpack, so bundlers do not
// follow it: a browser bundle never contains node:fs or sharp. (A bundle built *for Node* must
// keep this package external, as is usual for packages with native dependencies.) The browser
// module is a literal import, so bundlers emit it as a chunk; Node never reaches that branch.
const NODE_DECODER = './decode_node.js';
const loadNodeDecoder = () => import(/* @vite-ignore */ /* webpackIgnore: true */ NODE_DECODER) as Promise<typeof NodeDecoder>;
const loadBrowserDecoder = () => import('./browser_pixels.js');

function describe(input: unknown): string {
  if (input === null || typeof input !== 'object') return String(input);
  return (input as { constructor?: { name?: string } }).constructor?.name ?? 'object';
}

function isImageDataLike(input: object): input is ImageDataLike {
  const candidate = input as Partial<ImageDataLike>;
  return (candidate.data instanceof Uint8ClampedArray || candidate.data instanceof Uint8Array) && typeof candidate.width === 'number' && typeof candidate.height === 'number';
}

/**
 * Turns any {@link ImageInput} into 8-bit RGB pixels, decoding files and bytes (JPEG, PNG, WebP)
 * as PIL's `Image.open(f).convert('RGB')` would. Unsupported types and corrupt data throw an
 * {@link ImageDecodeError} naming the input.
 */
export async function readImage(input: ImageInput): Promise<RgbImage> {
  if (typeof input === 'string') {
    if (!isNode()) throw new ImageDecodeError(input, 'file paths can only be read in Node; in a browser pass an HTMLImageElement, ImageBitmap or the bytes');
    return (await loadNodeDecoder()).decodeImageFile(input);
  }
  // Plain JavaScript callers can pass anything.
  if ((input as unknown) === null || typeof input !== 'object') throw new ImageDecodeError(describe(input), 'not an image input');
  if (input instanceof tf.Tensor) return rgbFromTensor(input);
  if (input instanceof ArrayBuffer || input instanceof Uint8Array) {
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
    return isNode() ? (await loadNodeDecoder()).decodeImageBytes(bytes) : (await loadBrowserDecoder()).decodeImageBytesInBrowser(bytes);
  }
  if (isImageDataLike(input)) return rgbFromImageData(input);
  const browser = isNode() ? undefined : await loadBrowserDecoder();
  if (browser?.isBrowserImageSource(input)) return browser.rgbFromBrowserSource(input);
  throw new ImageDecodeError(describe(input), `not an image input (expected a path, bytes, a Tensor3D, { data, width, height }${browser ? ' or a DOM image source' : ''})`);
}

/**
 * torchvision's eval transform for a set of weights — `Resize(resizeSize, interpolation)` with
 * PIL's antialiasing, `CenterCrop(cropSize)`, (`Grayscale()` for 1-channel weights), `ToTensor()`,
 * `Normalize(mean, std)` — returned as a `[1, cropSize, cropSize, channels]` float32 tensor (NHWC,
 * what the tfjs model takes). The caller owns (and disposes) the result; an input tensor is left untouched.
 */
export async function preprocess(input: ImageInput, preprocessing: Preprocessing): Promise<tf.Tensor4D> {
  const values = preprocessRgb(await readImage(input), preprocessing);
  return tf.tensor4d(values, [1, preprocessing.cropSize, preprocessing.cropSize, preprocessing.channels ?? 3], 'float32');
}
