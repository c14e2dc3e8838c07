// preprocess() over every Node input kind, its errors, and tensor bookkeeping. Pixel-level
// agreement with torchvision is in torchvision_eval.test.ts; here every input kind must give
// exactly what the file path gives for the same pixels.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Preprocessing } from '../registry/weights_record.js';
import { ImageDecodeError } from './image_decode_error.js';
import { preprocess, readImage, type ImageInput } from './preprocess.js';
import { preprocessRgb } from './preprocess_rgb.js';
import type { RgbImage } from './rgb_image.js';

const CHELSEA = fileURLToPath(new URL('../../../../fixtures/images/chelsea.png', import.meta.url));
const V2: Preprocessing = { resizeSize: 232, cropSize: 224, interpolation: 'bilinear', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const SMALL: Preprocessing = { ...V2, resizeSize: 40, cropSize: 32, interpolation: 'bicubic' };

let chelsea: RgbImage;
let expected: Float32Array;
beforeAll(async () => {
  await tf.setBackend('cpu');
  chelsea = await readImage(CHELSEA);
  expected = preprocessRgb(chelsea, SMALL);
});

async function values(input: ImageInput, preprocessing = SMALL): Promise<number[]> {
  const t = await preprocess(input, preprocessing);
  expect(t.shape).toEqual([1, preprocessing.cropSize, preprocessing.cropSize, 3]);
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

/** chelsea as interleaved pixels with `channels` channels: extra ones hold noise that must be ignored. */
function interleaved(channels: 3 | 4): Uint8ClampedArray {
  const out = new Uint8ClampedArray(chelsea.width * chelsea.height * channels);
  for (let p = 0; p < chelsea.width * chelsea.height; p++) {
    for (let c = 0; c < 3; c++) out[p * channels + c] = chelsea.data[p * 3 + c]!;
    if (channels === 4) out[p * 4 + 3] = (p * 37) % 256;
  }
  return out;
}

describe('preprocess inputs', () => {
  it('a path gives the eval transform of the decoded file, NHWC float32', async () => {
    expect(chelsea).toMatchObject({ width: 451, height: 300 });
    expect(await values(CHELSEA)).toEqual(Array.from(expected));
    // Spot check against the formula on the crop: (v / 255 - mean) / std.
    const v = await values(CHELSEA);
    expect(v.length).toBe(32 * 32 * 3);
    expect(v.every((x) => x >= -0.485 / 0.229 - 1e-6 && x <= (1 - 0.406) / 0.225 + 1e-6)).toBe(true);
  });

  it('Buffer, Uint8Array and ArrayBuffer of the file bytes', async () => {
    const buffer = readFileSync(CHELSEA);
    const plain = Uint8Array.from(buffer);
    expect(await values(buffer)).toEqual(Array.from(expected));
    expect(await values(plain)).toEqual(Array.from(expected));
    expect(await values(plain.buffer)).toEqual(Array.from(expected));
  });

  it('Tensor3D: int32 RGB, float32 RGB, RGBA (alpha ignored), untouched and not disposed', async () => {
    const shape: [number, number, number] = [chelsea.height, chelsea.width, 3];
    const int = tf.tensor3d(Int32Array.from(chelsea.data), shape, 'int32');
    const float = tf.tensor3d(Float32Array.from(chelsea.data), shape, 'float32');
    const rgba = tf.tensor3d(Int32Array.from(interleaved(4)), [chelsea.height, chelsea.width, 4], 'int32');
    for (const t of [int, float, rgba]) expect(await values(t)).toEqual(Array.from(expected));
    expect(int.isDisposed).toBe(false);
    tf.dispose([int, float, rgba]);
  });

  it('Tensor3D floats are rounded to the nearest byte (ties to even) and clamped', async () => {
    const t = tf.tensor3d([-3, 0.5, 1.5, 254.6, 300, 2.4], [1, 2, 3], 'float32');
    expect((await readImage(t)).data).toEqual(Uint8Array.from([0, 0, 2, 255, 255, 2]));
    t.dispose();
  });

  it('a one-channel Tensor3D is gray', async () => {
    const t = tf.tensor3d([10, 20], [1, 2, 1], 'int32');
    expect((await readImage(t)).data).toEqual(Uint8Array.from([10, 10, 10, 20, 20, 20]));
    t.dispose();
  });

  it('ImageData-like RGBA (alpha ignored) and RGB buffers', async () => {
    const { width, height } = chelsea;
    expect(await values({ data: interleaved(4), width, height })).toEqual(Array.from(expected));
    expect(await values({ data: chelsea.data, width, height })).toEqual(Array.from(expected));
  });

  it('images smaller than the crop are padded with black before normalization, like torchvision', async () => {
    // resize 4 → 4x4 stays, crop 6: a 1-pixel black border (torchvision pads (6-4)//2 = 1 on each side).
    const white = { data: new Uint8ClampedArray(4 * 4 * 4).fill(255), width: 4, height: 4 };
    const v = await values(white, { ...SMALL, resizeSize: 4, cropSize: 6 });
    const at = (y: number, x: number) => v[(y * 6 + x) * 3]!;
    expect(at(0, 0)).toBeCloseTo(-0.485 / 0.229, 5);
    expect(at(1, 1)).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(at(4, 4)).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(at(5, 5)).toBeCloseTo(-0.485 / 0.229, 5);
  });
});

describe('preprocess errors', () => {
  const rejects = async (input: unknown, message: RegExp) => {
    const error = await preprocess(input as ImageInput, SMALL).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as Error).message).toMatch(message);
  };

  it('unsupported or corrupt bytes name the input', async () => {
    await rejects(Buffer.from('GIF89a....'), /^image bytes: unsupported image type/);
    await rejects(readFileSync(CHELSEA).subarray(0, 5000), /^image bytes: corrupt or unreadable PNG data/);
  });

  it('tensors of the wrong rank, channel count or dtype', async () => {
    const cases: [tf.Tensor, RegExp][] = [
      [tf.zeros([4, 4]), /^Tensor3D: shape \[4, 4\] is not \[height, width, channels\]/],
      [tf.zeros([4, 4, 5]), /^Tensor3D \[4, 4, 5\]: 5 channels per pixel/],
      [tf.zeros([4, 4, 3], 'bool'), /dtype bool/],
      [tf.zeros([0, 4, 3]), /size 4x0 is not a positive integer size/],
    ];
    for (const [t, message] of cases) {
      await rejects(t, message);
      t.dispose();
    }
  });

  it('ImageData-like objects whose buffer does not fit their size, and non-images', async () => {
    await rejects({ data: new Uint8ClampedArray(10), width: 2, height: 2 }, /^ImageData: 2.5 channels per pixel/);
    await rejects({ width: 2, height: 2 }, /^Object: not an image input/);
    await rejects(42, /^42: not an image input/);
    await rejects(null, /^null: not an image input/);
  });
});

describe('tensor bookkeeping', () => {
  it('numTensors is unchanged after 100 preprocess calls (path, bytes, tensor and ImageData inputs)', async () => {
    const bytes = readFileSync(CHELSEA);
    const tensor = tf.tensor3d(Int32Array.from(chelsea.data), [chelsea.height, chelsea.width, 3], 'int32');
    const imageData = { data: interleaved(4), width: chelsea.width, height: chelsea.height };
    const inputs: ImageInput[] = [CHELSEA, bytes, tensor, imageData];
    // One warm-up round: a backend may allocate once on first use.
    for (const input of inputs) (await preprocess(input, SMALL)).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) (await preprocess(inputs[i % inputs.length]!, SMALL)).dispose();
    expect(tf.memory().numTensors).toBe(before);
    await preprocess(Buffer.from('bad'), SMALL).catch(() => undefined);
    expect(tf.memory().numTensors).toBe(before);
    tensor.dispose();
  });
});
