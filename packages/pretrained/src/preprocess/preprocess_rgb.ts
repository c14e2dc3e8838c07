import type { Preprocessing } from '../registry/weights_record.js';
import { centerCrop } from './center_crop.js';
import { normalizeLumaToFloat32, normalizeToFloat32 } from './normalize.js';
import { resizeShorterSide } from './resize.js';
import type { RgbImage } from './rgb_image.js';

/**
 * The uint8 image torchvision's eval transform normalizes: `Resize(resizeSize, interpolation)`
 * then `CenterCrop(cropSize)`, as PIL computes them.
 */
export function resizeAndCrop(image: RgbImage, preprocessing: Preprocessing): RgbImage {
  return centerCrop(resizeShorterSide(image, preprocessing.resizeSize, preprocessing.interpolation), preprocessing.cropSize);
}

/**
 * torchvision's eval transform in pure TypeScript (Node and browser, no tfjs):
 * `Compose([Resize, CenterCrop, ToTensor, Normalize])` on an RGB image, returned NHWC
 * (`cropSize × cropSize × channels` values, ready for `tf.tensor4d(values, [1, crop, crop, channels])`).
 * With `channels: 1` the cropped image is turned into luma first (`Grayscale()`).
 */
export function preprocessRgb(image: RgbImage, preprocessing: Preprocessing): Float32Array {
  const cropped = resizeAndCrop(image, preprocessing);
  return (preprocessing.channels ?? 3) === 1
    ? normalizeLumaToFloat32(cropped, preprocessing.mean, preprocessing.std)
    : normalizeToFloat32(cropped, preprocessing.mean, preprocessing.std);
}
