import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';
import { resizeWindowFloat as resizeWindow } from '@resnext/pretrained';
import { buildTransform, centerCrop, flipHorizontal, outputSize, randomCrop, randomResizedCropBox, TransformError, type FloatImage } from './transforms.js';

/** Values from torchvision/torch (tools/fixtures/make_recipes_transforms_reference.py). */
const reference = JSON.parse(readFileSync(new URL('../../../../fixtures/recipes/transforms_reference.json', import.meta.url), 'utf8')) as {
  randomResizedCrop: { height: number; width: number; scale: number[]; ratio: number[]; uniforms: number[]; used: number; box: number[] }[];
  resize: { height: number; width: number; channels: number; pixels: number[]; cases: { box: number[]; out: number[]; expected: number[] }[] };
};

/** An Rng that replays given uniforms (range and int derive from uniform, as in Rng). */
class Replay extends Rng {
  used = 0;
  constructor(private readonly values: number[]) {
    super(0);
  }
  override uniform(): number {
    const v = this.values[this.used++];
    if (v === undefined) throw new Error('ran out of uniforms');
    return v;
  }
}

const ramp = (h: number, w: number, c = 1): FloatImage => ({ data: Float32Array.from({ length: h * w * c }, (_, i) => i), height: h, width: w, channels: c });
const at = (img: FloatImage, y: number, x: number, k = 0) => img.data[(y * img.width + x) * img.channels + k]!;

describe('transforms', () => {
  it('randomCrop with padding is a window of the zero-padded image', () => {
    const img = ramp(4, 5, 2);
    for (let seed = 0; seed < 20; seed++) {
      const out = randomCrop(img, 4, 2, new Rng(seed));
      // Find the offset: every output pixel must be the input at (y + oy, x + ox) or 0 outside.
      let found = 0;
      for (let oy = -2; oy <= 2; oy++) {
        for (let ox = -2; ox <= 3; ox++) {
          let ok = true;
          for (let y = 0; y < 4 && ok; y++) {
            for (let x = 0; x < 4 && ok; x++) {
              for (let k = 0; k < 2; k++) {
                const sy = y + oy;
                const sx = x + ox;
                const expected = sy >= 0 && sy < 4 && sx >= 0 && sx < 5 ? at(img, sy, sx, k) : 0;
                if (at(out, y, x, k) !== expected) ok = false;
              }
            }
          }
          if (ok) found++;
        }
      }
      expect(found).toBeGreaterThanOrEqual(1);
    }
    expect(() => randomCrop(img, 9, 2, new Rng(0))).toThrow(TransformError);
  });

  it('flip mirrors columns; centerCrop uses torchvision offsets', () => {
    const img = ramp(2, 3, 2);
    const f = flipHorizontal(img);
    expect(at(f, 1, 0, 1)).toBe(at(img, 1, 2, 1));
    expect(at(f, 0, 2, 0)).toBe(at(img, 0, 0, 0));
    // (5 - 2) / 2 = 1.5 → 2 (half to even); (6 - 2) / 2 = 2.
    const c = centerCrop(ramp(5, 6), 2);
    expect(Array.from(c.data)).toEqual([at(ramp(5, 6), 2, 2), at(ramp(5, 6), 2, 3), at(ramp(5, 6), 3, 2), at(ramp(5, 6), 3, 3)]);
  });

  it('resizeWindow matches torch.nn.functional.interpolate(bilinear, antialias) of the crop', () => {
    const { height, width, channels, pixels, cases } = reference.resize;
    const img: FloatImage = { data: Float32Array.from(pixels), height, width, channels };
    for (const { box, out, expected } of cases) {
      const got = resizeWindow(img, box[0]!, box[1]!, box[2]!, box[3]!, out[0]!, out[1]!);
      expect([got.height, got.width, got.channels]).toEqual([out[0], out[1], channels]);
      const worst = Math.max(...Array.from(got.data, (v, i) => Math.abs(v - expected[i]!)));
      expect(worst).toBeLessThan(1e-3);
    }
  });

  it('resizeWindow agrees with a naive 2-D triangle-filter loop; identity at scale 1', () => {
    const img = ramp(4, 4);
    expect(Array.from(resizeWindow(img, 0, 0, 4, 4, 4, 4).data)).toEqual(Array.from(img.data));
    const rng = new Rng(9);
    const noise: FloatImage = { data: Float32Array.from({ length: 19 * 13 * 2 }, () => rng.int(256)), height: 19, width: 13, channels: 2 };
    for (const [top, left, wh, ww, oh, ow] of [[0, 0, 19, 13, 5, 4], [2, 3, 7, 9, 15, 4], [5, 1, 12, 12, 12, 12], [0, 0, 19, 13, 7, 13]] as const) {
      const got = resizeWindow(noise, top, left, wh, ww, oh, ow);
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          for (let k = 0; k < 2; k++) {
            // Weighted average over the window with the triangle filter widened by the shrink factor.
            const [sy, sx] = [wh / oh, ww / ow];
            const [cy, cx] = [(y + 0.5) * sy, (x + 0.5) * sx];
            let num = 0;
            let den = 0;
            for (let j = 0; j < wh; j++) {
              for (let i = 0; i < ww; i++) {
                const wgt = Math.max(0, 1 - Math.abs(j + 0.5 - cy) / Math.max(sy, 1)) * Math.max(0, 1 - Math.abs(i + 0.5 - cx) / Math.max(sx, 1));
                num += wgt * at(noise, top + j, left + i, k);
                den += wgt;
              }
            }
            expect(at(got, y, x, k)).toBeCloseTo(num / den, 3);
          }
        }
      }
    }
  });

  it("random-resized-crop boxes equal torchvision's get_params fed the same uniforms", () => {
    expect(reference.randomResizedCrop.length).toBeGreaterThan(50);
    for (const c of reference.randomResizedCrop) {
      const rng = new Replay(c.uniforms);
      expect(randomResizedCropBox(c.height, c.width, c.scale as [number, number], c.ratio as [number, number], rng)).toEqual(c.box);
      expect(rng.used).toBe(c.used);
    }
  });

  it("random-resized-crop boxes satisfy torchvision's constraints", () => {
    const rng = new Rng(5);
    for (let i = 0; i < 500; i++) {
      const [top, left, h, w] = randomResizedCropBox(60, 80, [0.08, 1], [3 / 4, 4 / 3], rng);
      expect(top >= 0 && left >= 0 && top + h <= 60 && left + w <= 80 && h > 0 && w > 0).toBe(true);
      // Rounding can stretch the ratio slightly past the range; the area is within scale.
      expect(w / h).toBeGreaterThan(0.6);
      expect(w / h).toBeLessThan(1.6);
      expect((h * w) / 4800).toBeLessThanOrEqual(1);
    }
    // A 1-pixel-wide image forces the fallback: the central crop with the ratio clamped.
    expect(randomResizedCropBox(100, 1, [0.08, 1], [3 / 4, 4 / 3], rng)).toEqual([49, 0, 1, 1]);
  });

  it('buildTransform: ToTensor + Normalize in float32 steps, output sizes, and validation', () => {
    const t = buildTransform([{ kind: 'normalize', mean: [0.5], std: [0.25] }]);
    const out = t({ pixels: Uint8Array.from([0, 51, 255, 128]), height: 2, width: 2, channels: 1, label: 0 }, new Rng(0));
    const f = Math.fround;
    expect(Array.from(out.data)).toEqual([0, 51, 255, 128].map((v) => f(f(f(v / 255) - f(0.5)) / f(0.25))));
    expect(Array.from(buildTransform([])({ pixels: Uint8Array.from([255]), height: 1, width: 1, channels: 1, label: 0 }, new Rng(0)).data)).toEqual([1]);
    expect(outputSize([{ kind: 'resize', size: 256 }, { kind: 'centerCrop', size: 224 }], null)).toEqual([224, 224]);
    expect(outputSize([{ kind: 'resize', size: 256 }], null)).toBeNull();
    expect(outputSize([{ kind: 'flip' }], [28, 28, 1])).toEqual([28, 28]);
    expect(() => buildTransform([{ kind: 'normalize', mean: [0], std: [1] }, { kind: 'flip' }])).toThrow(/last/);
    expect(() => buildTransform([{ kind: 'randomCrop', size: 0 }])).toThrow(TransformError);
    expect(() => buildTransform([{ kind: 'normalize', mean: [0, 0], std: [1] }])).toThrow(TransformError);
    expect(() => buildTransform([{ kind: 'spin' } as never])).toThrow(/unknown transform/);
  });
});
