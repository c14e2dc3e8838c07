// Node decoding (sharp) against PIL's decoding of the same files, and its errors.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../formats/safetensors.js';
import { decodeImageBytes, decodeImageFile } from './decode_node.js';
import { ImageDecodeError } from './image_decode_error.js';

const FIXTURES = new URL('../../../../fixtures/', import.meta.url);
const imagePath = (file: string) => fileURLToPath(new URL(`images/${file}`, FIXTURES));
const { tensors, metadata } = readSafetensors(readFileSync(new URL('preprocess/torchvision_eval.safetensors', FIXTURES)), 'torchvision_eval.safetensors');
const PIL_SHA256 = JSON.parse(metadata['decode_sha256']!) as Record<string, string>;
const dir = mkdtempSync(path.join(os.tmpdir(), 'decode-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A PNG written by hand (signature, IHDR, optional PLTE, one zlib IDAT, IEND), so the expected pixels do not come from a decoder. */
function png(width: number, height: number, colorType: 0 | 2 | 3 | 4 | 6, pixels: number[], palette?: number[]): Uint8Array {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType];
  const chunk = (type: string, data: Uint8Array) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colorType, 0, 0, 0], 8);
  const rows: number[] = [];
  for (let y = 0; y < height; y++) rows.push(0, ...pixels.slice(y * width * channels, (y + 1) * width * channels));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(palette ? [chunk('PLTE', Uint8Array.from(palette))] : []),
    chunk('IDAT', zlib.deflateSync(Uint8Array.from(rows))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

describe('decodeImageFile / decodeImageBytes (sharp) vs PIL', () => {
  for (const file of ['chelsea.jpg', 'chelsea.webp', 'coffee.jpg', 'coffee.webp']) {
    it(`${file}: the same pixels as PIL's Image.open().convert('RGB')`, async () => {
      const image = await decodeImageFile(imagePath(file));
      // A 128x128 window of PIL's decode, compared value by value (the max difference is reported on failure)...
      const window = tensors.get(`decode/${file}`)!.values;
      const top = Math.floor((image.height - 128) / 2);
      const left = Math.floor((image.width - 128) / 2);
      let max = 0;
      for (let y = 0; y < 128; y++) {
        for (let i = 0; i < 128 * 3; i++) max = Math.max(max, Math.abs(image.data[((top + y) * image.width + left) * 3 + i]! - window[y * 128 * 3 + i]!));
      }
      expect(max).toBe(0);
      // ...and the whole picture through its digest.
      expect(createHash('sha256').update(image.data).digest('hex')).toBe(PIL_SHA256[file]);
    });
  }

  it('reads gray, gray + alpha, palette and RGBA PNGs as PIL convert("RGB") does', async () => {
    expect((await decodeImageBytes(png(2, 1, 0, [7, 200]))).data).toEqual(Uint8Array.from([7, 7, 7, 200, 200, 200]));
    expect((await decodeImageBytes(png(2, 1, 4, [7, 0, 200, 255]))).data).toEqual(Uint8Array.from([7, 7, 7, 200, 200, 200]));
    expect((await decodeImageBytes(png(2, 1, 3, [1, 0], [10, 20, 30, 40, 50, 60]))).data).toEqual(Uint8Array.from([40, 50, 60, 10, 20, 30]));
    // Alpha is dropped, not composited: a fully transparent pixel keeps its colour.
    const rgba = await decodeImageBytes(png(2, 2, 6, [1, 2, 3, 0, 4, 5, 6, 64, 7, 8, 9, 128, 250, 251, 252, 255]));
    expect([rgba.width, rgba.height]).toEqual([2, 2]);
    expect(rgba.data).toEqual(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 250, 251, 252]));
  });
});

describe('decoding errors', () => {
  const chelseaJpg = readFileSync(imagePath('chelsea.jpg'));
  const write = (name: string, bytes: Uint8Array) => {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  const corruptPng = () => {
    const bytes = Uint8Array.from(png(4, 4, 2, Array.from({ length: 48 }, (_, i) => i * 5)));
    const at = bytes.length - 20; // inside IDAT (before its CRC and IEND): the CRC no longer matches
    bytes[at] = bytes[at]! ^ 0xff;
    return bytes;
  };

  it.each([
    ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), /unsupported image type: not a JPEG, PNG or WebP file \(starts with 47 49 46 38 39 61/],
    ['a text file', Buffer.from('hello, world'), /unsupported image type/],
    ['an empty file', new Uint8Array(0), /unsupported image type: the file is empty/],
    ['a truncated JPEG', chelseaJpg.subarray(0, 20_000), /corrupt or unreadable JPEG data/],
    ['a JPEG header only', chelseaJpg.subarray(0, 3), /corrupt or unreadable JPEG data/],
    ['a PNG with a damaged IDAT', corruptPng(), /corrupt or unreadable PNG data/],
    ['a truncated WebP', readFileSync(imagePath('coffee.webp')).subarray(0, 10_000), /corrupt or unreadable WebP data/],
  ])('%s → ImageDecodeError naming the file', async (_, bytes, message) => {
    const file = write('broken.jpg', bytes);
    const error = await decodeImageFile(file).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as ImageDecodeError).source).toBe(file);
    expect((error as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect((error as Error).message).toMatch(message);
  });

  it('names bytes by the source given, and a missing file fails with the file-system error', async () => {
    await expect(decodeImageBytes(Buffer.from('nope'), 'upload #3')).rejects.toThrow(/^upload #3: unsupported image type/);
    await expect(decodeImageFile(path.join(dir, 'missing.png'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
