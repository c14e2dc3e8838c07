import type { Preprocessing } from '../registry/weights_record.js';
import { centerCropOffset, cropWindow } from './center_crop.js';
import { normalizeLumaToFloat32, normalizeToFloat32 } from './normalize.js';
import { resizeRegion, shorterSideSize } from './resize.js';
import type { RgbImage } from './rgb_image.js';

/**
 * The uint8 image torchvision's eval transform normalizes: `Resize(resizeSize, interpolation)`
 * then `CenterCrop(cropSize)`, as PIL computes them. Only the part of the resized image that the
 * crop keeps is computed (the same pixels as resizing everything, then cropping), so the cost
 * follows the crop and the input rows it reads, not the resized image: a long, thin picture
 * resized by its shorter side would otherwise be enormous.
 */
export function resizeAndCrop(image: RgbImage, preprocessing: Preprocessing): RgbImage {
  const { cropSize: size, interpolation } = preprocessing;
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`centerCrop: size ${size} is not a positive integer`);
  const resized = shorterSideSize(image.width, image.height, preprocessing.resizeSize);
  const left = centerCropOffset(resized.width, size);
  const top = centerCropOffset(resized.height, size);
  // The crop window clipped to the resized image: a crop larger than the image is padded with black.
  const x0 = Math.max(0, left);
  const y0 = Math.max(0, top);
  const region = { left: x0, top: y0, width: Math.min(resized.width, left + size) - x0, height: Math.min(resized.height, top + size) - y0 };
  const inside = resizeRegion(image, resized.width, resized.height, region, interpolation);
  return region.width === size && region.height === size ? inside : cropWindow(inside, size, left - x0, top - y0);
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
