import { ImageDecodeError } from './image_decode_error.js';

/**
 * The largest images `preprocess` and `readImage` accept. Decoding needs memory in
 * proportion to the pixel count (3 to 4 bytes a pixel, more while a decoder works), so a few
 * hundred bytes of PNG or JPEG that declare a huge size must be refused before anything is
 * allocated for it; and an extreme aspect ratio is no photograph a classifier could use (a 1×5000
 * strip resized to a shorter side of 256 would be 1,280,000 pixels long).
 *
 * - `maxSide`: 32,768 pixels of width or of height.
 * - `maxPixels`: 50,000,000 pixels (50 megapixels: an 8000×6000 photo passes; 16000×16000 does not).
 * - `maxAspectRatio`: 100, the longer side over the shorter.
 */
export const IMAGE_LIMITS: Readonly<{ maxSide: number; maxPixels: number; maxAspectRatio: number }> = Object.freeze({
  maxSide: 32_768,
  maxPixels: 50_000_000,
  maxAspectRatio: 100,
});

const grouped = (n: number) => n.toLocaleString('en-US');

/**
 * Throws an {@link ImageDecodeError} naming `source` and the limit when a `width × height` image is
 * beyond {@link IMAGE_LIMITS}. Sizes that are not positive integers are left to the caller's own
 * checks (they are a different problem: a corrupt or empty image).
 */
export function checkImageSize(width: number, height: number, source: string): void {
  if (!(width >= 1 && height >= 1)) return;
  const { maxSide, maxPixels, maxAspectRatio } = IMAGE_LIMITS;
  const problems: string[] = [];
  if (width > maxSide) problems.push(`width ${grouped(width)} is above ${grouped(maxSide)}`);
  if (height > maxSide) problems.push(`height ${grouped(height)} is above ${grouped(maxSide)}`);
  if (width * height > maxPixels) problems.push(`${grouped(width * height)} pixels is above ${grouped(maxPixels)}`);
  const ratio = Math.max(width, height) / Math.min(width, height);
  if (ratio > maxAspectRatio) problems.push(`aspect ratio ${grouped(Math.round(ratio * 10) / 10)}:1 is above ${maxAspectRatio}:1`);
  if (problems.length > 0) {
    throw new ImageDecodeError(source, `a ${width}x${height} image is beyond the preprocessing limits (IMAGE_LIMITS): ${problems.join('; ')}`);
  }
}
