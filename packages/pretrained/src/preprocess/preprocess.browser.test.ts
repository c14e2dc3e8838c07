// Browser inputs (Chromium): bytes decoded by the browser and DOM image sources, against the
// torchvision fixture and against the pure-TypeScript pipeline on the same pixels.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { readSafetensors, type SafetensorsFile } from '../formats/safetensors.js';
import type { Preprocessing } from '../registry/weights_record.js';
import { pngWithSize, webpWithSize } from '../testing/image_headers.js';
import { ImageDecodeError } from './image_decode_error.js';
import { preprocess, readImage, type ImageInput } from './preprocess.js';
import { preprocessRgb, resizeAndCrop } from './preprocess_rgb.js';
import type { RgbImage } from './rgb_image.js';

/** A file under the repository's fixtures/, read by the Vitest server (paths are relative to the package). */
async function fetchBytes(path: string): Promise<Uint8Array> {
  const base64 = await commands.readFile(`../../fixtures/${path}`, 'base64');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
const V2: Preprocessing = { resizeSize: 232, cropSize: 224, interpolation: 'bilinear', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

let fixture: SafetensorsFile;
let chelseaPng: Uint8Array;
let chelsea: RgbImage;
beforeAll(async () => {
  await tf.setBackend('cpu');
  fixture = readSafetensors(await fetchBytes('preprocess/torchvision_eval.safetensors'));
  chelseaPng = await fetchBytes('images/chelsea.png');
  chelsea = await readImage(chelseaPng);
});

function maxDifference(a: Uint8Array, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

async function values(input: ImageInput): Promise<number[]> {
  const t = await preprocess(input, V2);
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

function chelseaImageData(): ImageData {
  const rgba = new Uint8ClampedArray(chelsea.width * chelsea.height * 4).fill(255);
  for (let p = 0; p < chelsea.width * chelsea.height; p++) rgba.set(chelsea.data.subarray(p * 3, p * 3 + 3), p * 4);
  return new ImageData(rgba, chelsea.width, chelsea.height);
}

describe('preprocess in the browser', () => {
  it('PNG bytes (createImageBitmap) give torchvision\'s crop', () => {
    const expected = fixture.tensors.get('eval/chelsea.png/r232_c224_bilinear')!.values;
    expect(maxDifference(resizeAndCrop(chelsea, V2).data, expected)).toBe(0);
  });

  it('JPEG and WebP bytes decoded by Chromium stay within 1/255 of torchvision after resize + crop', async () => {
    for (const file of ['chelsea.jpg', 'coffee.jpg', 'chelsea.webp', 'coffee.webp']) {
      const image = await readImage(await fetchBytes(`images/${file}`));
      const max = maxDifference(resizeAndCrop(image, V2).data, fixture.tensors.get(`eval/${file}/r232_c224_bilinear`)!.values);
      expect(max, file).toBeLessThanOrEqual(1);
    }
  });

  it('HTMLImageElement, HTMLCanvasElement, OffscreenCanvas, ImageBitmap and ImageData give the pure-TS result', async () => {
    const expected = Array.from(preprocessRgb(chelsea, V2));
    const imageData = chelseaImageData();
    const canvas = Object.assign(document.createElement('canvas'), { width: chelsea.width, height: chelsea.height });
    canvas.getContext('2d')!.putImageData(imageData, 0, 0);
    const offscreen = new OffscreenCanvas(chelsea.width, chelsea.height);
    offscreen.getContext('2d')!.putImageData(imageData, 0, 0);
    const bitmap = await createImageBitmap(imageData);
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([chelseaPng as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
    await img.decode();
    for (const [name, input] of [['ImageData', imageData], ['canvas', canvas], ['OffscreenCanvas', offscreen], ['ImageBitmap', bitmap], ['HTMLImageElement', img]] as const) {
      expect(await values(input), name).toEqual(expected);
    }
    bitmap.close();
    URL.revokeObjectURL(img.src);
  });

  it('errors: paths, images not loaded yet, corrupt bytes, other objects', async () => {
    const failure = (input: unknown) => preprocess(input as ImageInput, V2).then(() => undefined, (e: unknown) => e as Error);
    expect(await failure('cat.png')).toBeInstanceOf(ImageDecodeError);
    expect((await failure('cat.png'))?.message).toMatch(/^cat.png: file paths can only be read in Node/);
    expect((await failure(new Image()))?.message).toMatch(/^HTMLImageElement: has no pixels yet/);
    expect((await failure(chelseaPng.subarray(0, 100)))?.message).toMatch(/^image bytes: corrupt or unreadable PNG data/);
    expect((await failure(document.createElement('div')))?.message).toMatch(/^HTMLDivElement: not an image input/);
  });

  it('leaves numTensors unchanged over 20 calls', async () => {
    const canvas = Object.assign(document.createElement('canvas'), { width: chelsea.width, height: chelsea.height });
    canvas.getContext('2d')!.putImageData(chelseaImageData(), 0, 0);
    (await preprocess(canvas, V2)).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) (await preprocess(i % 2 ? canvas : chelseaPng, V2)).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('preprocessing limits in the browser', () => {
  const failure = (input: unknown) => preprocess(input as ImageInput, V2).then(() => undefined, (e: unknown) => e as Error);

  it('bytes whose header declares too many pixels are refused before createImageBitmap decodes them', async () => {
    // The data after the headers is not there: had the browser decoded, the error would be corrupt data.
    const png = await failure(pngWithSize(30_000, 30_000));
    expect(png).toBeInstanceOf(ImageDecodeError);
    expect(png?.message).toMatch(/^image bytes: a 30000x30000 image is beyond the preprocessing limits .*900,000,000 pixels is above 50,000,000$/);
    expect((await failure(webpWithSize(16_383, 16_383)))?.message).toMatch(/^image bytes: a 16383x16383 image is beyond the preprocessing limits/);
  });

  it('a 1x5000 canvas is refused before its pixels are read (its resize would be 232 x 1,160,000)', async () => {
    const strip = new OffscreenCanvas(1, 5000);
    const error = await failure(strip);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect(error?.message).toBe('OffscreenCanvas: a 1x5000 image is beyond the preprocessing limits (IMAGE_LIMITS): aspect ratio 5,000:1 is above 100:1');
  });
});
