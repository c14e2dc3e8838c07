// 1-channel eval preprocessing (Fashion-MNIST weights) against torchvision 0.14 + Pillow, from
// tools/fixtures/make_luma_fixture.py: Resize → CenterCrop → Grayscale → ToTensor → Normalize.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../formats/safetensors.js';
import type { Preprocessing } from '../registry/weights_record.js';
import { normalizeInterleavedToFloat32, normalizeLumaToFloat32 } from './normalize.js';
import { preprocess } from './preprocess.js';

const FIXTURES = new URL('../../../../fixtures/', import.meta.url);
const { tensors, metadata } = readSafetensors(readFileSync(new URL('preprocess/luma.safetensors', FIXTURES)), 'luma.safetensors');
const values = (key: string) => Array.from(tensors.get(key)!.values);
const MEAN = Number(metadata['mean']);
const STD = Number(metadata['std']);
const GRAY: Preprocessing = { resizeSize: 28, cropSize: 28, interpolation: 'bilinear', channels: 1, mean: [MEAN], std: [STD] };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('1-channel preprocessing', () => {
  it("computes PIL's convert('L') exactly over a grid of 4,096 colours", () => {
    const rgb = Uint8Array.from(values('ramp_rgb'));
    // mean 0, std 1/255 turns the normalized value back into the 0..255 luma.
    const luma = normalizeLumaToFloat32({ data: rgb, width: 64, height: 64 }, [0], [1 / 255]);
    expect(Array.from(luma, Math.round)).toEqual(values('ramp_luma'));
  });

  it('equals torchvision Resize → CenterCrop → Grayscale → ToTensor → Normalize on a photo, bit for bit', async () => {
    const tensor = await preprocess(fileURLToPath(new URL('images/chelsea.png', FIXTURES)), GRAY);
    expect(tensor.shape).toEqual([1, 28, 28, 1]);
    expect(Array.from(await tensor.data())).toEqual(values('tensor'));
    tensor.dispose();
  });

  it('rejects statistics that do not match the channel count', () => {
    const image = { data: new Uint8Array(3), width: 1, height: 1 };
    expect(() => normalizeLumaToFloat32(image, [0.5, 0.5, 0.5], [1, 1, 1])).toThrow(/1 mean and std values, got 3 and 3/);
  });
});

describe('normalizeInterleavedToFloat32', () => {
  it('normalizes gray pixels as torchvision ToTensor + Normalize does (float32 steps)', () => {
    const f = Math.fround;
    const out = normalizeInterleavedToFloat32(Uint8Array.from([0, 128, 255]), [0.286], [0.353]);
    expect(Array.from(out)).toEqual([0, 128, 255].map((v) => f(f(f(v / 255) - f(0.286)) / f(0.353))));
  });

  it('rejects data that is not whole pixels', () => {
    expect(() => normalizeInterleavedToFloat32(new Uint8Array(4), [0, 0, 0], [1, 1, 1])).toThrow(/not whole pixels of 3 channels/);
  });
});
