import type * as tf from '@tensorflow/tfjs-core';
import { ImageDecodeError } from './image_decode_error.js';
import { checkImageSize } from './image_limits.js';
import { rgbFromInterleaved, type RgbImage } from './rgb_image.js';

/**
 * Reads a `[height, width, channels]` tensor of 0..255 values (int32 as `tf.browser.fromPixels`
 * gives, or float32) into 8-bit RGB.
 *
 * Why on the CPU rather than with tfjs ops: the reference is Pillow resizing an 8-bit image with
 * 8-bit rounding between its two passes, and no tfjs op resamples with antialiasing (resizeBilinear
 * samples 2 pixels whatever the shrink factor), so the pixels are read once and the TypeScript
 * resize does the rest. Integer values are taken exactly; floats are rounded to the nearest integer
 * (ties to even) and clamped to 0..255, as storing them in a PIL image would require. A size beyond
 * `IMAGE_LIMITS` is an {@link ImageDecodeError}.
 */
export async function rgbFromTensor(image: tf.Tensor3D, source = 'Tensor3D'): Promise<RgbImage> {
  if (image.rank !== 3) throw new ImageDecodeError(source, `shape [${image.shape.join(', ')}] is not [height, width, channels]`);
  if (image.dtype !== 'int32' && image.dtype !== 'float32') {
    throw new ImageDecodeError(source, `dtype ${image.dtype}; expected int32 or float32 values in 0..255`);
  }
  const [height, width, channels] = image.shape;
  // Before the values are read: reading copies them all, several times over.
  checkImageSize(width, height, `${source} [${image.shape.join(', ')}]`);
  const values = await image.data<'int32' | 'float32'>();
  // Uint8ClampedArray conversion is exactly "round half to even, clamp to 0..255" (and NaN → 0).
  const bytes = new Uint8ClampedArray(values.length);
  bytes.set(values);
  return rgbFromInterleaved(bytes, width, height, channels, `${source} [${image.shape.join(', ')}]`);
}
