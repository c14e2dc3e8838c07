// resize() against Pillow 9.4's Image.resize on small synthetic images written by
// tools/fixtures/make_preprocess_fixtures.py (noise, checkerboards, a 1-pixel column).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../formats/safetensors.js';
import { axisCoefficients, PRECISION_BITS } from './resample_coefficients.js';
import { resize, resizeShorterSide, shorterSideSize } from './resize.js';
import type { RgbImage } from './rgb_image.js';

const { tensors } = readSafetensors(readFileSync(new URL('../../../../fixtures/preprocess/torchvision_eval.safetensors', import.meta.url)), 'torchvision_eval.safetensors');

function image(key: string): RgbImage {
  const t = tensors.get(key);
  if (!t) throw new Error(`fixture has no ${key}`);
  const [height, width] = t.shape as [number, number, number];
  return { data: Uint8Array.from(t.values), width, height };
}

const cases = [...tensors.keys()].filter((k) => k.startsWith('resize/') && k.endsWith('/input')).map((k) => k.slice('resize/'.length, -'/input'.length));

describe('resize (Pillow Image.resize)', () => {
  it('has the fixture cases', () => expect(cases.length).toBeGreaterThanOrEqual(8));

  for (const name of cases) {
    for (const interpolation of ['bilinear', 'bicubic'] as const) {
      it(`${name} ${interpolation}: equal to Pillow bit for bit`, () => {
        const input = image(`resize/${name}/input`);
        const expected = image(`resize/${name}/${interpolation}`);
        const got = resize(input, expected.width, expected.height, interpolation);
        expect([got.width, got.height]).toEqual([expected.width, expected.height]);
        expect(Buffer.from(got.data).equals(Buffer.from(expected.data))).toBe(true);
        // The input is never written to.
        expect(Buffer.from(input.data).equals(Buffer.from(image(`resize/${name}/input`).data))).toBe(true);
      });
    }
  }

  it('returns a copy when the size does not change', () => {
    const input: RgbImage = { data: Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 7), width: 3, height: 2 };
    const out = resize(input, 3, 2, 'bicubic');
    expect(out.data).toEqual(input.data);
    expect(out.data).not.toBe(input.data);
  });

  it('rejects empty or fractional output sizes', () => {
    const input: RgbImage = { data: new Uint8Array(3), width: 1, height: 1 };
    expect(() => resize(input, 0, 1, 'bilinear')).toThrow(RangeError);
    expect(() => resize(input, 2.5, 1, 'bilinear')).toThrow(RangeError);
  });
});

describe('axisCoefficients', () => {
  it('bilinear at a 2:1 shrink is the triangle of half-width 2, normalized (weights 1/8, 3/8, 3/8, 1/8)', () => {
    const c = axisCoefficients(8, 4, 'bilinear');
    const one = 1 << PRECISION_BITS;
    expect(Array.from(c.start)).toEqual([0, 1, 3, 5]); // output pixel 1 is centred at input x = 3: pixels 1..4
    expect(Array.from(c.weights.subarray(c.taps, c.taps + 4))).toEqual([one / 8, (3 * one) / 8, (3 * one) / 8, one / 8]);
    // First pixel: the window is cut at the border and renormalized: (3/8, 3/8, 1/8) / (7/8).
    expect(c.count[0]).toBe(3);
    expect(Array.from(c.weights.subarray(0, 3))).toEqual([3, 3, 1].map((w) => Math.round((w / 7) * one)));
  });
});

describe('shorterSideSize (torchvision Resize(int))', () => {
  it('makes the shorter side `size` and truncates the longer one', () => {
    expect(shorterSideSize(451, 300, 256)).toEqual({ width: 384, height: 256 }); // 384.85 → 384
    expect(shorterSideSize(300, 451, 232)).toEqual({ width: 232, height: 348 }); // 348.77 → 348
    expect(shorterSideSize(600, 400, 235)).toEqual({ width: 352, height: 235 }); // 352.5 → 352
    expect(shorterSideSize(500, 500, 224)).toEqual({ width: 224, height: 224 });
  });

  it('resizeShorterSide applies it', () => {
    const input: RgbImage = { data: new Uint8Array(10 * 4 * 3).fill(9), width: 10, height: 4 };
    const out = resizeShorterSide(input, 2, 'bilinear');
    expect([out.width, out.height]).toEqual([5, 2]);
    expect(out.data.every((v) => v === 9)).toBe(true);
  });
});
