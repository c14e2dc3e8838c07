import { describe, expect, it } from 'vitest';
import { centerCrop } from './center_crop.js';
import type { RgbImage } from './rgb_image.js';

/** A gray image whose pixel values are 1, 2, 3, ... in row-major order. */
function numbered(height: number, width: number): RgbImage {
  const data = new Uint8Array(height * width * 3);
  for (let p = 0; p < height * width; p++) data.fill(p + 1, p * 3, p * 3 + 3);
  return { data, width, height };
}

const firstChannel = (image: RgbImage) =>
  Array.from({ length: image.height }, (_, y) => Array.from({ length: image.width }, (_, x) => image.data[(y * image.width + x) * 3]));

// Expected windows printed by torchvision 0.14's F.center_crop on PIL images of the same numbers.
describe('centerCrop (torchvision CenterCrop)', () => {
  it('rounds the offset half to even, as Python round does', () => {
    // top (7-4)/2 = 1.5 → 2, left (9-4)/2 = 2.5 → 2 (Math.round would give 3)
    expect(firstChannel(centerCrop(numbered(7, 9), 4))).toEqual([
      [21, 22, 23, 24],
      [30, 31, 32, 33],
      [39, 40, 41, 42],
      [48, 49, 50, 51],
    ]);
    // top (5-4)/2 = 0.5 → 0
    expect(firstChannel(centerCrop(numbered(5, 4), 4))).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
      [13, 14, 15, 16],
    ]);
    expect(firstChannel(centerCrop(numbered(6, 8), 3))).toEqual([
      [19, 20, 21],
      [27, 28, 29],
      [35, 36, 37],
    ]);
  });

  it('pads smaller images with zeros, the odd pixel after the image', () => {
    expect(firstChannel(centerCrop(numbered(3, 2), 6))).toEqual([
      [0, 0, 0, 0, 0, 0],
      [0, 0, 1, 2, 0, 0],
      [0, 0, 3, 4, 0, 0],
      [0, 0, 5, 6, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
    ]);
    // Padded in height only; the width offset is then rounded as usual.
    expect(firstChannel(centerCrop(numbered(4, 7), 5))).toEqual([
      [2, 3, 4, 5, 6],
      [9, 10, 11, 12, 13],
      [16, 17, 18, 19, 20],
      [23, 24, 25, 26, 27],
      [0, 0, 0, 0, 0],
    ]);
  });

  it('keeps all three channels', () => {
    const image: RgbImage = { data: Uint8Array.from({ length: 27 }, (_, i) => i), width: 3, height: 3 };
    expect(Array.from(centerCrop(image, 1).data)).toEqual([12, 13, 14]); // the centre pixel (1, 1)
  });
});
