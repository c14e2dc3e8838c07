// Our eval preprocessing against torchvision 0.14 + Pillow 9.4 on real photos (scikit-image's CC0
// chelsea and coffee), from tools/fixtures/make_preprocess_fixtures.py. The fixture holds the uint8
// image torchvision normalizes (resized + center-cropped; the script checked that normalizing it
// reproduces the full Compose output bit for bit), and torch's ToTensor + Normalize of a ramp.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../formats/safetensors.js';
import type { Preprocessing } from '../registry/weights_record.js';
import { normalizeToFloat32 } from './normalize.js';
import { preprocess, readImage } from './preprocess.js';
import { resizeAndCrop } from './preprocess_rgb.js';
import type { RgbImage } from './rgb_image.js';

const FIXTURES = new URL('../../../../fixtures/', import.meta.url);
const imagePath = (file: string) => fileURLToPath(new URL(`images/${file}`, FIXTURES));
const { tensors, metadata } = readSafetensors(readFileSync(new URL('preprocess/torchvision_eval.safetensors', FIXTURES)), 'torchvision_eval.safetensors');
const MEAN = JSON.parse(metadata['mean']!) as [number, number, number];
const STD = JSON.parse(metadata['std']!) as [number, number, number];

function fixture(key: string): RgbImage {
  const t = tensors.get(key);
  if (!t) throw new Error(`fixture has no ${key}`);
  const [height, width] = t.shape as [number, number, number];
  return { data: Uint8Array.from(t.values), width, height };
}

/** `r232_c224_bilinear` → the Preprocessing it names. */
function parseSetting(name: string): Preprocessing {
  const [, resize, crop, interpolation] = /^r(\d+)_c(\d+)_(bilinear|bicubic)$/.exec(name)!;
  return { resizeSize: Number(resize), cropSize: Number(crop), interpolation: interpolation as Preprocessing['interpolation'], mean: MEAN, std: STD };
}

/** Differences in ToTensor's [0, 1] units. */
function difference(a: Uint8Array, b: Uint8Array) {
  expect(a.length).toBe(b.length);
  let max = 0;
  let sum = 0;
  let differing = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Math.max(max, d);
    sum += d;
    if (d > 0) differing++;
  }
  return { max: max / 255, mean: sum / a.length / 255, differing };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('eval preprocessing vs torchvision (Resize → CenterCrop → ToTensor → Normalize)', () => {
  const cases = [...tensors.keys()].filter((k) => k.startsWith('eval/')).map((k) => k.split('/') as [string, string, string]);

  it('covers both photos in PNG, JPEG and WebP and the three settings', () => {
    expect(cases.filter(([, file]) => file.endsWith('.png')).length).toBe(6);
    expect(cases.length).toBe(10);
    expect(JSON.parse(metadata['settings']!)).toEqual(['r256_c224_bilinear', 'r232_c224_bilinear', 'r235_c224_bicubic']);
  });

  for (const [, file, setting] of cases) {
    it(`${file} ${setting}: within 1/255 per pixel of torchvision (identical in fact)`, async () => {
      const preprocessing = parseSetting(setting);
      const expected = fixture(`eval/${file}/${setting}`);
      const ours = resizeAndCrop(await readImage(imagePath(file)), preprocessing);
      const diff = difference(ours.data, expected.data);
      expect(diff.max).toBeLessThanOrEqual(1 / 255);
      // Decoding (PIL and sharp share libjpeg-turbo/libpng/libwebp behaviour) and the resize are
      // both exact, so nothing differs at all; a change that breaks this should be looked at.
      expect(diff).toEqual({ max: 0, mean: 0, differing: 0 });

      // The tensor preprocess() returns is that image normalized, NHWC.
      const tensor = await preprocess(imagePath(file), preprocessing);
      expect(tensor.shape).toEqual([1, 224, 224, 3]);
      expect(tensor.dtype).toBe('float32');
      expect(Array.from(await tensor.data())).toEqual(Array.from(normalizeToFloat32(expected, MEAN, STD)));
      tensor.dispose();
    });
  }

  it('normalizes every byte value as torch does (ToTensor then Normalize, float32)', () => {
    const input = fixture('normalize/input');
    const reference = tensors.get('normalize/output')!.values;
    // Each step rounded to float32 as torch computes it: the same bits, not just close.
    expect(Array.from(normalizeToFloat32(input, MEAN, STD))).toEqual(Array.from(reference));
    expect(new Set(input.data).size).toBe(256);
  });
});
