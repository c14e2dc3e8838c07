import { ImageDecodeError } from './image_decode_error.js';
import { checkImageSize } from './image_limits.js';

/** An 8-bit RGB image, rows top to bottom, pixels interleaved (HWC): what PIL calls mode "RGB". */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Anything shaped like the DOM's `ImageData`: interleaved 8-bit pixels with 1 to 4 channels (RGBA for `ImageData`). */
export interface ImageDataLike {
  readonly data: Uint8ClampedArray | Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Makes an RGB image from interleaved 8-bit pixels the way PIL's `convert('RGB')` does: gray is
 * repeated into three channels and alpha is dropped (not composited), so an RGBA picture gives the
 * colours torchvision's `ImageFolder` loader would. `channels` is 1 (gray), 2 (gray + alpha), 3 or 4.
 * A size beyond `IMAGE_LIMITS` is an {@link ImageDecodeError}.
 */
export function rgbFromInterleaved(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
  source: string,
): RgbImage {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new ImageDecodeError(source, `size ${width}x${height} is not a positive integer size`);
  }
  checkImageSize(width, height, source);
  if (channels < 1 || channels > 4 || !Number.isInteger(channels)) {
    throw new ImageDecodeError(source, `${channels} channels per pixel; expected 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA)`);
  }
  const pixels = width * height;
  if (data.length !== pixels * channels) {
    throw new ImageDecodeError(source, `${data.length} values for ${width}x${height} pixels with ${channels} channels (expected ${pixels * channels})`);
  }
  if (channels === 3) return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };
  const rgb = new Uint8Array(pixels * 3);
  const colour = channels >= 3;
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += channels, o += 3) {
    const r = data[i] as number;
    rgb[o] = r;
    rgb[o + 1] = colour ? (data[i + 1] as number) : r;
    rgb[o + 2] = colour ? (data[i + 2] as number) : r;
  }
  return { data: rgb, width, height };
}

/**
 * Reads an `ImageData`-like object. The channel count is what the buffer holds per pixel, so
 * `ImageData` (always RGBA) and plain RGB or gray buffers are all accepted.
 */
export function rgbFromImageData(image: ImageDataLike, source = 'ImageData'): RgbImage {
  const pixels = image.width * image.height;
  const channels = pixels > 0 ? image.data.length / pixels : 0;
  return rgbFromInterleaved(image.data, image.width, image.height, channels, source);
}
