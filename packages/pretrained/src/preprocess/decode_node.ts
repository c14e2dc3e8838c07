// Node-only: decodes JPEG, PNG and WebP files with sharp (libvips over libjpeg-turbo/mozjpeg,
// libpng, libwebp), which reproduces PIL's decoding exactly on our fixtures. Never imported
// statically by code a browser bundle includes: `preprocess.ts` loads it on demand.
import * as fs from 'node:fs/promises';
import sharp, { type OutputInfo } from 'sharp';
import { ImageDecodeError } from './image_decode_error.js';
import { FORMAT_NAMES, describeMagic, sniffImageFormat } from './image_format.js';
import { imageHeaderSize } from './image_header.js';
import { IMAGE_LIMITS, checkImageSize } from './image_limits.js';
import { rgbFromInterleaved, type RgbImage } from './rgb_image.js';

/**
 * Decodes JPEG, PNG or WebP bytes into 8-bit RGB as PIL's `Image.open(f).convert('RGB')` does:
 * embedded ICC profiles and EXIF orientation are ignored (PIL applies neither), alpha is dropped,
 * gray is repeated. Anything else, corrupt/truncated data, or a size beyond {@link IMAGE_LIMITS}
 * (checked on the header, before any pixel is decoded) gets an {@link ImageDecodeError} naming `source`.
 */
export async function decodeImageBytes(bytes: Uint8Array, source = 'image bytes'): Promise<RgbImage> {
  const format = sniffImageFormat(bytes);
  if (format === undefined) throw new ImageDecodeError(source, `unsupported image type: ${describeMagic(bytes)}`);
  const declared = imageHeaderSize(bytes, format);
  if (declared !== undefined) checkImageSize(declared.width, declared.height, source);
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    // ignoreIcc: sharp would otherwise convert to sRGB through an embedded profile, PIL does not.
    // failOn 'warning' (sharp's default, spelled out): truncated or damaged data is an error,
    // as in PIL, not a partly grey picture. limitInputPixels: a second guard, for a header
    // laid out in a way imageHeaderSize does not read.
    decoded = await sharp(bytes, { ignoreIcc: true, failOn: 'warning', limitInputPixels: IMAGE_LIMITS.maxPixels }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (cause) {
    const reason = (cause instanceof Error ? cause.message : String(cause)).replace(/\s+/g, ' ').trim();
    throw new ImageDecodeError(source, `corrupt or unreadable ${FORMAT_NAMES[format]} data (${reason})`, { cause });
  }
  const { data, info } = decoded;
  return rgbFromInterleaved(data, info.width, info.height, info.channels, source);
}

/** Reads and decodes an image file; see {@link decodeImageBytes}. File-system errors (ENOENT, ...) pass through unchanged. */
export async function decodeImageFile(path: string): Promise<RgbImage> {
  return decodeImageBytes(await fs.readFile(path), path);
}
