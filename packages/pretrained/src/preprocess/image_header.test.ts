// Header sizes against sharp's (libvips') reading of the same files, over every layout the
// formats allow for the size: JPEG baseline and progressive, PNG, lossy/lossless/extended WebP.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { sniffImageFormat } from './image_format.js';
import { imageHeaderSize } from './image_header.js';

const fixture = (file: string) => readFileSync(new URL(`../../../../fixtures/images/${file}`, import.meta.url));
const picture = () => sharp({ create: { width: 37, height: 23, channels: 4, background: { r: 200, g: 100, b: 50, alpha: 0.5 } } });

async function sizeBySharp(bytes: Uint8Array) {
  const { width, height } = await sharp(bytes).metadata();
  return { width, height };
}

describe('imageHeaderSize', () => {
  const cases: [string, () => Promise<Uint8Array>][] = [
    ['chelsea.jpg', () => Promise.resolve(fixture('chelsea.jpg'))],
    ['chelsea.png', () => Promise.resolve(fixture('chelsea.png'))],
    ['chelsea.webp', () => Promise.resolve(fixture('chelsea.webp'))],
    ['coffee.jpg', () => Promise.resolve(fixture('coffee.jpg'))],
    ['coffee.webp', () => Promise.resolve(fixture('coffee.webp'))],
    ['progressive JPEG (SOF2)', () => picture().jpeg({ progressive: true }).toBuffer()],
    ['JPEG with EXIF and ICC segments before the frame', () => picture().withMetadata({ orientation: 6 }).jpeg().toBuffer()],
    ['lossy WebP without alpha (VP8)', () => picture().removeAlpha().webp().toBuffer()],
    ['lossless WebP (VP8L)', () => picture().removeAlpha().webp({ lossless: true }).toBuffer()],
    ['WebP with alpha (VP8X)', () => picture().webp().toBuffer()],
    ['gray PNG', () => picture().greyscale().png().toBuffer()],
  ];
  for (const [name, make] of cases) {
    it(`${name}: the size sharp reads`, async () => {
      const bytes = await make();
      const format = sniffImageFormat(bytes);
      expect(format).toBeDefined();
      expect(imageHeaderSize(bytes, format!)).toEqual(await sizeBySharp(bytes));
    });
  }

  it('the WebP variants are what their names say', async () => {
    const chunk = async (make: () => Promise<Uint8Array>) => Buffer.from(await make()).toString('latin1', 12, 16);
    expect(await chunk(cases[7]![1])).toBe('VP8 ');
    expect(await chunk(cases[8]![1])).toBe('VP8L');
    expect(await chunk(cases[9]![1])).toBe('VP8X');
  });

  it('headers cut short or laid out otherwise give undefined (the decoder decides)', () => {
    const jpeg = fixture('chelsea.jpg');
    expect(imageHeaderSize(jpeg.subarray(0, 3), 'jpeg')).toBeUndefined();
    expect(imageHeaderSize(fixture('chelsea.png').subarray(0, 20), 'png')).toBeUndefined();
    expect(imageHeaderSize(fixture('chelsea.webp').subarray(0, 20), 'webp')).toBeUndefined();
    // A scan marker before any frame header.
    expect(imageHeaderSize(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 2, 0, 0]), 'jpeg')).toBeUndefined();
    // Not a marker where one must be.
    expect(imageHeaderSize(Uint8Array.from([0xff, 0xd8, 0x12, 0x34, 0, 2, 0, 0]), 'jpeg')).toBeUndefined();
  });
});
