// resizeAndCrop computes only the crop of the resized image: it must equal resizing everything
// (resize(), itself checked against Pillow in resize.test.ts) and then centerCrop(), bit for bit,
// while a long, thin image no longer costs its whole resized size.
import { describe, expect, it } from 'vitest';
import type { Preprocessing } from '../registry/weights_record.js';
import { centerCrop } from './center_crop.js';
import { resizeAndCrop } from './preprocess_rgb.js';
import { resize, resizeRegion, shorterSideSize } from './resize.js';
import type { RgbImage } from './rgb_image.js';

/** Deterministic noise (a linear congruential generator), so failures reproduce. */
function noise(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { data, width, height };
}

const setting = (resizeSize: number, cropSize: number, interpolation: Preprocessing['interpolation']): Preprocessing => ({
  resizeSize,
  cropSize,
  interpolation,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
});

describe('resizeAndCrop = centerCrop(resize(...)) bit for bit', () => {
  // Shrinking and enlarging, odd and even offsets, crops larger than the resized image (padding),
  // an axis whose size does not change (not resampled), 1-pixel sides.
  const shapes: [number, number][] = [
    [451, 300],
    [300, 451],
    [64, 64],
    [40, 41],
    [17, 90],
    [90, 17],
    [1, 50],
    [50, 1],
    [3, 3],
  ];
  const settings = [setting(32, 24, 'bilinear'), setting(35, 32, 'bicubic'), setting(24, 30, 'bicubic'), setting(64, 64, 'bilinear'), setting(40, 17, 'bilinear'), setting(1, 1, 'bicubic')];
  for (const [width, height] of shapes) {
    it(`${width}x${height}`, () => {
      const image = noise(width, height, width * 1000 + height);
      for (const p of settings) {
        const size = shorterSideSize(width, height, p.resizeSize);
        const expected = centerCrop(resize(image, size.width, size.height, p.interpolation), p.cropSize);
        const got = resizeAndCrop(image, p);
        expect([got.width, got.height]).toEqual([p.cropSize, p.cropSize]);
        expect(Buffer.from(got.data).equals(Buffer.from(expected.data)), `resize ${p.resizeSize} crop ${p.cropSize} ${p.interpolation}`).toBe(true);
      }
    });
  }

  it('an unchanged size on one axis: resizeAndCrop still equals the full resize', () => {
    // 300 wide already: only the height is resampled, and the width is cropped by copying.
    const image = noise(300, 500, 7);
    const p = setting(300, 224, 'bicubic');
    expect(Buffer.from(resizeAndCrop(image, p).data).equals(Buffer.from(centerCrop(resize(image, 300, 500, 'bicubic'), 224).data))).toBe(true);
  });
});

describe('resizeRegion', () => {
  it('any region equals the same window of the full resize', () => {
    const image = noise(37, 23, 3);
    const full = resize(image, 50, 11, 'bicubic');
    const region = { left: 13, top: 4, width: 20, height: 6 };
    const got = resizeRegion(image, 50, 11, region, 'bicubic');
    for (let y = 0; y < region.height; y++) {
      const from = ((region.top + y) * full.width + region.left) * 3;
      expect(Array.from(got.data.subarray(y * region.width * 3, (y + 1) * region.width * 3))).toEqual(Array.from(full.data.subarray(from, from + region.width * 3)));
    }
  });

  it('refuses a region outside the output', () => {
    const image = noise(4, 4, 1);
    expect(() => resizeRegion(image, 8, 8, { left: 4, top: 0, width: 5, height: 1 }, 'bilinear')).toThrow(/region 5x1 at \(4, 0\) is not inside the 8x8 output/);
    expect(() => resizeRegion(image, 8, 8, { left: -1, top: 0, width: 1, height: 1 }, 'bilinear')).toThrow(RangeError);
  });
});

describe('long, thin images', () => {
  it('a 1x100000 column resized by its shorter side to 256 (256 x 25,600,000 when whole): only the crop is computed', () => {
    // Rows above the middle are 10, below 200. Enlarged 256 times, the 224 crop rows all fall
    // between the centres of input rows 49999 and 50000: the triangle filter gives
    // 10 + 190 * (c - 49999.5) at input coordinate c = (row + 0.5) / 256.
    const height = 100_000;
    const data = new Uint8Array(height * 3);
    for (let y = 0; y < height; y++) data.set([y < height / 2 ? 10 : 200, 77, 5], y * 3);
    const got = resizeAndCrop({ data, width: 1, height }, setting(256, 224, 'bilinear'));
    const top = Math.round((25_600_000 - 224) / 2);
    for (let y = 0; y < 224; y++) {
      const expected = 10 + 190 * ((top + y + 0.5) / 256 - 49_999.5);
      for (let x = 0; x < 224; x++) {
        const [r, g, b] = got.data.subarray((y * 224 + x) * 3, (y * 224 + x) * 3 + 3);
        // Within a fixed-point rounding step of the exact value; the other channels are constant.
        expect(Math.abs(r! - expected)).toBeLessThanOrEqual(1);
        expect([g, b]).toEqual([77, 5]);
      }
    }
  });

  it('a 100000x1 row likewise', () => {
    const got = resizeAndCrop({ data: new Uint8Array(100_000 * 3).fill(42), width: 100_000, height: 1 }, setting(232, 224, 'bicubic'));
    expect(got.data.every((v) => v === 42)).toBe(true);
  });
});
