// Hostile images for preprocessing: extreme aspect ratios, headers declaring huge sizes (valid
// data or none), truncated and damaged files. Each must be an ImageDecodeError naming the image
// and the problem, cheaply: sizes are checked on the header before any pixel is decoded.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { preprocess } from '@resnext/pretrained';
import { blackPng, jpegWithSize, pngWithSize, TINY_JPEG, webpWithSize } from '../lib/images.mjs';

/** What torchvision's ResNeXt-50 weights use: Resize(232), CenterCrop(224). */
const V2 = { resizeSize: 232, cropSize: 224, interpolation: 'bilinear', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

const CORRUPT = (format) => new RegExp(`corrupt or unreadable ${format} data`);

/** Writes `bytes` to `name` in the case's directory and preprocesses the file by its path. */
async function preprocessFile(dir, name, bytes) {
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  await preprocess(file, V2);
}

export const cases = [
  {
    id: 'png-1x5000',
    about: 'a 190-byte 1×5000 PNG file (its resize by the shorter side would be 232×1,160,000)',
    run: ({ dir }) => preprocessFile(dir, 'strip.png', blackPng(1, 5000, 1000)),
    expect: { name: 'ImageDecodeError', message: /strip\.png: a 1x5000 image .*aspect ratio 5,000:1 is above 100:1/ },
  },
  {
    id: 'png-5000x1',
    about: 'a 5000×1 PNG as bytes',
    run: () => preprocess(blackPng(5000, 1), V2),
    expect: { name: 'ImageDecodeError', message: /^image bytes: a 5000x1 image .*aspect ratio 5,000:1/ },
  },
  {
    id: 'png-100000x1',
    about: 'a 100000×1 PNG (once a RangeError: Invalid typed array length)',
    run: () => preprocess(blackPng(100_000, 1), V2),
    expect: { name: 'ImageDecodeError', message: /a 100000x1 image .*width 100,000 is above 32,768/ },
  },
  {
    id: 'png-16000x16000-valid',
    about: 'a valid 16000×16000 black PNG of about 1 MB, under sharp\'s own pixel limit',
    run: () => preprocess(blackPng(16_000, 16_000, 16), V2),
    expect: { name: 'ImageDecodeError', message: /a 16000x16000 image .*256,000,000 pixels is above 50,000,000/ },
  },
  {
    id: 'png-ihdr-huge-no-data',
    about: 'a PNG whose IHDR says 2147483647×2147483647, with 9 bytes of IDAT',
    run: () => preprocess(pngWithSize(2 ** 31 - 1, 2 ** 31 - 1), V2),
    expect: { name: 'ImageDecodeError', message: /a 2147483647x2147483647 image .*beyond the preprocessing limits/ },
  },
  {
    id: 'png-ihdr-zero-width',
    about: 'a PNG whose IHDR says 0×10',
    run: () => preprocess(pngWithSize(0, 10), V2),
    expect: { name: 'ImageDecodeError', message: CORRUPT('PNG') },
  },
  {
    id: 'jpeg-sof-65535x65535',
    about: 'a 265-byte JPEG whose frame header says 65535×65535',
    run: () => preprocess(jpegWithSize(TINY_JPEG, 65_535, 65_535), V2),
    expect: { name: 'ImageDecodeError', message: /a 65535x65535 image .*width 65,535 is above 32,768/ },
  },
  {
    id: 'jpeg-sof-10000x6000',
    about: 'a JPEG whose frame header says 10000×6000: every side allowed, 60 megapixels not',
    run: ({ dir }) => preprocessFile(dir, 'big.jpg', jpegWithSize(TINY_JPEG, 10_000, 6_000)),
    expect: { name: 'ImageDecodeError', message: /big\.jpg: a 10000x6000 image .*60,000,000 pixels is above 50,000,000$/ },
  },
  {
    id: 'jpeg-sof-1x20000',
    about: 'a JPEG whose frame header says 1×20000',
    run: () => preprocess(jpegWithSize(TINY_JPEG, 1, 20_000), V2),
    expect: { name: 'ImageDecodeError', message: /a 1x20000 image .*aspect ratio 20,000:1 is above 100:1$/ },
  },
  {
    id: 'jpeg-sof-height-zero',
    about: 'a JPEG whose frame header defers its height to a DNL marker (height 0)',
    run: () => preprocess(jpegWithSize(TINY_JPEG, 8, 0), V2),
    expect: { name: 'ImageDecodeError', message: CORRUPT('JPEG') },
  },
  {
    id: 'webp-vp8x-16383x16383',
    about: 'a 30-byte WebP whose VP8X canvas is 16383×16383',
    run: () => preprocess(webpWithSize(16_383, 16_383), V2),
    expect: { name: 'ImageDecodeError', message: /a 16383x16383 image .*268,402,689 pixels is above 50,000,000$/ },
  },
  {
    id: 'png-truncated',
    about: 'a valid 64×64 PNG cut in the middle of its IDAT',
    run: () => {
      const png = blackPng(64, 64);
      return preprocess(png.subarray(0, Math.floor(png.length / 2)), V2);
    },
    expect: { name: 'ImageDecodeError', message: CORRUPT('PNG') },
  },
  {
    id: 'png-idat-crc-damaged',
    about: 'a 64×64 PNG whose IDAT bytes no longer match their CRC',
    run: () => {
      const png = blackPng(64, 64);
      png[png.length - 20] ^= 0xff;
      return preprocess(png, V2);
    },
    expect: { name: 'ImageDecodeError', message: CORRUPT('PNG') },
  },
  {
    id: 'jpeg-truncated',
    about: 'an 8×8 JPEG cut before its scan',
    run: () => preprocess(TINY_JPEG.subarray(0, 160), V2),
    expect: { name: 'ImageDecodeError', message: CORRUPT('JPEG') },
  },
  {
    id: 'jpeg-magic-only',
    about: 'the three bytes FF D8 FF and nothing else',
    run: () => preprocess(Buffer.from([0xff, 0xd8, 0xff]), V2),
    expect: { name: 'ImageDecodeError', message: CORRUPT('JPEG') },
  },
  {
    id: 'gif-bytes',
    about: 'a GIF (not a supported format)',
    run: () => preprocess(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), V2),
    expect: { name: 'ImageDecodeError', message: /unsupported image type: not a JPEG, PNG or WebP file \(starts with 47 49 46/ },
  },
  {
    id: 'empty-file',
    about: 'an empty file',
    run: ({ dir }) => preprocessFile(dir, 'empty.png', Buffer.alloc(0)),
    expect: { name: 'ImageDecodeError', message: /empty\.png: unsupported image type: the file is empty/ },
  },
  {
    id: 'imagedata-1x5000',
    about: 'an ImageData-like { data, width: 1, height: 5000 }',
    run: () => preprocess({ data: new Uint8ClampedArray(5000 * 4), width: 1, height: 5000 }, V2),
    expect: { name: 'ImageDecodeError', message: /^ImageData: a 1x5000 image .*aspect ratio 5,000:1/ },
  },
  {
    id: 'imagedata-claims-huge',
    about: 'an ImageData-like object claiming 40000×40000 over a 4-byte buffer',
    run: () => preprocess({ data: new Uint8ClampedArray(4), width: 40_000, height: 40_000 }, V2),
    expect: { name: 'ImageDecodeError', message: /^ImageData: a 40000x40000 image .*beyond the preprocessing limits/ },
  },
];
