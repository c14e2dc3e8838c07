// Images beyond IMAGE_LIMITS are refused with an ImageDecodeError naming the image and the limit,
// before their pixels are decoded where the header declares the size, and through every input kind.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preprocessing } from '../registry/weights_record.js';
import { jpegWithSize, pngChunk, pngWithSize, webpWithSize } from '../testing/image_headers.js';
import { decodeImageBytes, decodeImageFile } from './decode_node.js';
import { ImageDecodeError } from './image_decode_error.js';
import { IMAGE_LIMITS } from './image_limits.js';
import { preprocess, type ImageInput } from './preprocess.js';

const SMALL: Preprocessing = { resizeSize: 40, cropSize: 32, interpolation: 'bilinear', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
const chelseaJpg = readFileSync(fileURLToPath(new URL('../../../../fixtures/images/chelsea.jpg', import.meta.url)));
const dir = mkdtempSync(path.join(os.tmpdir(), 'image-limits-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A valid black 8-bit RGB PNG of any size, in about a kilobyte per 16 rows at 16000 wide: one
 * zlib block of zero rows, flushed so that it depends on nothing before it, repeated; the Adler-32
 * of n zero bytes is (n mod 65521) << 16 | 1.
 */
function blackPng(width: number, height: number, rowsPerBlock = 16): Uint8Array {
  if (height % rowsPerBlock !== 0) throw new Error('height must be a multiple of rowsPerBlock');
  const raw = (1 + width * 3) * height;
  const block = zlib.deflateRawSync(new Uint8Array((1 + width * 3) * rowsPerBlock), { finishFlush: zlib.constants.Z_FULL_FLUSH });
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((raw % 65521) << 16) | 1) >>> 0);
  const stream = Buffer.concat([Buffer.from([0x78, 0x01]), ...Array<Buffer>(height / rowsPerBlock).fill(block), Buffer.from([0x03, 0x00]), adler]);
  const png = pngWithSize(width, height, stream);
  return png;
}

async function refusal(input: ImageInput): Promise<ImageDecodeError> {
  const error = await preprocess(input, SMALL).then(
    (t) => {
      t.dispose();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageDecodeError);
  return error as ImageDecodeError;
}

describe('IMAGE_LIMITS', () => {
  it('are the documented values', () => {
    expect(IMAGE_LIMITS).toEqual({ maxSide: 32_768, maxPixels: 50_000_000, maxAspectRatio: 100 });
    expect(Object.isFrozen(IMAGE_LIMITS)).toBe(true);
  });

  it('a valid black PNG as blackPng writes it decodes (the generator the large cases rely on)', async () => {
    const image = await decodeImageBytes(blackPng(300, 32));
    expect([image.width, image.height]).toEqual([300, 32]);
    expect(image.data.every((v) => v === 0)).toBe(true);
  });
});

describe('extreme aspect ratios', () => {
  it('a 1x5000 PNG file: refused, naming the file and the ratio', async () => {
    const file = path.join(dir, 'strip.png');
    writeFileSync(file, blackPng(1, 5000, 50));
    const error = await refusal(file);
    expect(error.source).toBe(file);
    expect(error.message).toBe(`${file}: a 1x5000 image is beyond the preprocessing limits (IMAGE_LIMITS): aspect ratio 5,000:1 is above 100:1`);
  });

  it('a 100000x1 PNG: an ImageDecodeError, not a RangeError from an impossible allocation', async () => {
    const error = await refusal(blackPng(100_000, 1, 1));
    expect(error.message).toMatch(/^image bytes: a 100000x1 image .*width 100,000 is above 32,768; aspect ratio 100,000:1 is above 100:1$/);
  });

  it('exactly 100:1 passes and 101:1 does not, in both orientations', async () => {
    for (const [w, h] of [
      [100, 1],
      [1, 100],
    ]) {
      const t = await preprocess({ data: new Uint8Array(w! * h! * 3).fill(9), width: w!, height: h! }, SMALL);
      expect(t.shape).toEqual([1, 32, 32, 3]);
      t.dispose();
    }
    await refusal({ data: new Uint8Array(101 * 3), width: 101, height: 1 });
    await refusal({ data: new Uint8Array(101 * 3), width: 1, height: 101 });
  });
});

describe('sizes declared by the header are refused before decoding', () => {
  it('a valid 16000x16000 PNG (under sharp\'s own pixel limit): refused on its pixel count', async () => {
    const png = blackPng(16_000, 16_000);
    expect(png.length).toBeLessThan(2_000_000);
    const error = await refusal(png);
    expect(error.message).toBe('image bytes: a 16000x16000 image is beyond the preprocessing limits (IMAGE_LIMITS): 256,000,000 pixels is above 50,000,000');
  });

  // The data after these headers is not what they promise: a decoder would report corrupt data
  // (or first allocate for the declared size); the limit message shows the header was read first.
  it.each([
    ['a PNG IHDR of 30000x30000 with 9 bytes of IDAT', pngWithSize(30_000, 30_000), /a 30000x30000 image .*900,000,000 pixels is above 50,000,000$/],
    ['a PNG IHDR of 2^31-1 x 1', pngWithSize(2 ** 31 - 1, 1), /a 2147483647x1 image .*width 2,147,483,647 is above 32,768/],
    ['a JPEG SOF of 65000x65000 (baseline)', jpegWithSize(chelseaJpg, 65_000, 65_000), /a 65000x65000 image .*width 65,000 is above 32,768; height 65,000 is above 32,768; 4,225,000,000 pixels/],
    ['a JPEG SOF of 10000x6000', jpegWithSize(chelseaJpg, 10_000, 6_000), /a 10000x6000 image .*60,000,000 pixels is above 50,000,000$/],
    ['a JPEG SOF of 60000x2', jpegWithSize(chelseaJpg, 60_000, 2), /aspect ratio 30,000:1 is above 100:1$/],
    ['a WebP VP8X canvas of 16383x16383 and nothing else', webpWithSize(16_383, 16_383), /a 16383x16383 image .*268,402,689 pixels is above 50,000,000$/],
  ])('%s', async (_, bytes, message) => {
    const error = await decodeImageBytes(bytes, 'upload').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as ImageDecodeError).source).toBe('upload');
    expect((error as Error).message).toMatch(/^upload: .*beyond the preprocessing limits/);
    expect((error as Error).message).toMatch(message);
  });

  it('a progressive JPEG (SOF2) is read as well', async () => {
    const sharp = (await import('sharp')).default;
    const progressive = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg({ progressive: true }).toBuffer();
    expect(progressive.includes(Buffer.from([0xff, 0xc2]))).toBe(true);
    await expect(decodeImageBytes(jpegWithSize(progressive, 1, 40_000))).rejects.toThrow(/height 40,000 is above 32,768/);
  });

  it('a file: the path is named', async () => {
    const file = path.join(dir, 'huge.jpg');
    writeFileSync(file, jpegWithSize(chelseaJpg, 65_000, 65_000));
    await expect(decodeImageFile(file)).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: a 65000x65000 image is beyond`));
  });

  it('a PNG whose header is cut short is still a corrupt-data error', async () => {
    const png = pngWithSize(10, 10).subarray(0, 20);
    await expect(decodeImageBytes(png)).rejects.toThrow(/^image bytes: corrupt or unreadable PNG data/);
  });

  it('a damaged IHDR chunk (its CRC fails) after a plausible size is left to the decoder', async () => {
    const png = pngWithSize(10, 10);
    png[29] = png[29]! ^ 0xff; // the IHDR CRC
    await expect(decodeImageBytes(png)).rejects.toThrow(/corrupt or unreadable PNG data/);
    // pngChunk is what pngWithSize uses: a correct CRC decodes past IHDR.
    expect(pngChunk('IEND', new Uint8Array(0))).toEqual(Uint8Array.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]));
  });
});

describe('decoded pixels, tensors and ImageData are checked too', () => {
  it('a Tensor3D of 1x5000 is refused before its values are read', async () => {
    const t = tf.zeros<tf.Rank.R3>([5000, 1, 3], 'int32');
    const error = await refusal(t);
    expect(error.message).toBe('Tensor3D [5000, 1, 3]: a 1x5000 image is beyond the preprocessing limits (IMAGE_LIMITS): aspect ratio 5,000:1 is above 100:1');
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });

  it('an ImageData-like object of 6000x9000 (54 megapixels)', async () => {
    const error = await refusal({ data: new Uint8ClampedArray(4), width: 6000, height: 9000 });
    expect(error.message).toMatch(/^ImageData: a 6000x9000 image .*54,000,000 pixels is above 50,000,000$/);
  });
});
