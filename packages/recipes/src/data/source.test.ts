import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../datasets/dataset_error.js';
import { DEBIAN_FASHION_MNIST_DIR } from '../datasets/fashion_mnist.js';
import { patternImage, writeCifarBinary, writeImageFolder } from './generate.js';
import { Rng } from './rng.js';
import { cifarSource, fashionMnistSource, imageFolderSource } from './source.js';

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'recipes-data-'));

describe('sources', () => {
  it('Fashion-MNIST (Debian dataset-fashion-mnist): 60,000 / 10,000 images of 28×28×1, labels 0–9', async () => {
    const train = fashionMnistSource('train', { dir: DEBIAN_FASHION_MNIST_DIR });
    const test = fashionMnistSource('test');
    expect([train.size, test.size, train.numClasses]).toEqual([60_000, 10_000, 10]);
    expect(train.shape).toEqual([28, 28, 1]);
    // The first training image is an ankle boot (9), the first test image too; the second test image a pullover (2).
    expect((await train.read(0)).label).toBe(9);
    expect([(await test.read(0)).label, (await test.read(1)).label]).toEqual([9, 2]);
    // Last labels and pixel sums of the first/last images, from Python's gzip on the same files.
    expect([(await train.read(59_998)).label, (await train.read(59_999)).label, (await test.read(9_999)).label]).toEqual([0, 5, 5]);
    const sum = (p: Uint8Array) => p.reduce((s, v) => s + v, 0);
    expect([sum((await train.read(0)).pixels), sum((await train.read(59_999)).pixels), sum((await test.read(9_999)).pixels)]).toEqual([76_247, 16_684, 24_390]);
    const perClass = new Array<number>(10).fill(0);
    for (let i = 0; i < train.size; i++) perClass[(await train.read(i)).label]!++;
    expect(perClass).toEqual(new Array<number>(10).fill(6000));
    await expect(train.read(60_000)).rejects.toThrow(RangeError);
    expect(() => fashionMnistSource('train', { dir: '/nonexistent' })).toThrow(DatasetError);
  });

  it('Fashion-MNIST from a folder of IDX files, plain and .gz; mismatched or truncated files are DatasetErrors', async () => {
    const idx = (dims: number[], data: Uint8Array) => {
      const header = Buffer.alloc(4 + 4 * dims.length);
      header.set([0, 0, 8, dims.length]);
      dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
      return Buffer.concat([header, data]);
    };
    const images = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => i);
    const dir = await tmp();
    await writeFile(path.join(dir, 'train-images-idx3-ubyte'), idx([3, 4, 5], images));
    await writeFile(path.join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([3], Uint8Array.from([7, 0, 9]))));
    const train = fashionMnistSource('train', { dir });
    expect([train.size, ...train.shape!]).toEqual([3, 4, 5, 1]);
    const second = await train.read(1);
    expect([second.label, second.height, second.width, second.channels]).toEqual([0, 4, 5, 1]);
    expect(Array.from(second.pixels)).toEqual(Array.from(images.subarray(20, 40)));
    expect(() => fashionMnistSource('test', { dir })).toThrow(new RegExp(`t10k-images-idx3-ubyte\\(\\.gz\\) not found in ${dir}.*apt-get install dataset-fashion-mnist`));
    await writeFile(path.join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([2], Uint8Array.from([7, 0]))));
    expect(() => fashionMnistSource('train', { dir })).toThrow(/do not describe the same images/);
    await writeFile(path.join(dir, 'train-images-idx3-ubyte'), idx([3, 4, 5], images.subarray(0, 50)));
    expect(() => fashionMnistSource('train', { dir })).toThrow(/need 60 bytes of data, the file has 50/);
  });

  it('CIFAR-10 and CIFAR-100 binary files: records by offset, planes to HWC, fine labels', async () => {
    for (const variant of [10, 100] as const) {
      const dir = await tmp();
      await writeCifarBinary(dir, { variant, perClass: 5, seed: 1 });
      const train = await cifarSource(dir, { variant, split: 'train' });
      const test = await cifarSource(dir, { variant, split: 'test' });
      expect([train.size, test.size]).toEqual([5 * variant, variant]);
      // Records are written in label order 0, 1, …; record 13 is class 13 % variant, its pixels the generator's.
      const rng = new Rng(1);
      const expected = Array.from({ length: 14 }, (_, i) => patternImage(i % variant, variant, 32, rng))[13]!;
      const got = await train.read(13);
      expect(got.label).toBe(13 % variant);
      expect(Array.from(got.pixels)).toEqual(Array.from(expected));
    }
    const bad = await tmp();
    await expect(cifarSource(bad, { variant: 10, split: 'test' })).rejects.toThrow(/test_batch\.bin.*not found/);
    await writeFile(path.join(bad, 'test_batch.bin'), new Uint8Array(100));
    await expect(cifarSource(bad, { variant: 10, split: 'test' })).rejects.toThrow(/not a whole number of 3073-byte/);
  });

  it('ImageFolder: classes from sorted folder names, PNG and JPEG decoded to RGB', async () => {
    const dir = await tmp();
    await writeImageFolder(dir, { classes: 3, perClass: 2, size: 12, seed: 2, format: 'png' });
    await writeImageFolder(path.join(dir, 'jpg'), { classes: 2, perClass: 1, size: 12, seed: 2, format: 'jpeg' });
    const png = await imageFolderSource(dir);
    // 'jpg' is a folder too: it becomes a (4th, empty) class — folders without images count, like torchvision.
    expect(png.classNames).toEqual(['class_000', 'class_001', 'class_002', 'jpg']);
    expect(png.size).toBe(6);
    const first = await png.read(0);
    expect([first.height, first.width, first.channels, first.label]).toEqual([12, 12, 3, 0]);
    expect(Array.from(first.pixels)).toEqual(Array.from(patternImage(0, 3, 12, new Rng(2))));
    const jpg = await imageFolderSource(path.join(dir, 'jpg'));
    expect((await jpg.read(1)).label).toBe(1);
    await expect(imageFolderSource(path.join(dir, 'missing'))).rejects.toThrow(/ImageFolder layout/);
    // Gray and RGBA PNGs come out as RGB (gray replicated, alpha dropped).
    const sharp = (await import('sharp')).default;
    const mixed = await tmp();
    await mkdir(path.join(mixed, 'a'));
    await sharp(Uint8Array.from([10, 200, 30, 40]), { raw: { width: 2, height: 2, channels: 1 } }).png().toFile(path.join(mixed, 'a', 'gray.png'));
    await sharp(Uint8Array.from([1, 2, 3, 255, 4, 5, 6, 128]), { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(path.join(mixed, 'a', 'rgba.png'));
    const grayRgba = await imageFolderSource(mixed);
    expect(Array.from((await grayRgba.read(0)).pixels)).toEqual([10, 10, 10, 200, 200, 200, 30, 30, 30, 40, 40, 40]);
    expect(Array.from((await grayRgba.read(1)).pixels)).toEqual([1, 2, 3, 4, 5, 6]);
    await writeFile(path.join(dir, 'class_000', 'zz_broken.png'), 'not a png');
    const withBroken = await imageFolderSource(dir);
    await expect(withBroken.read(2)).rejects.toThrow(/cannot decode .*zz_broken\.png/);
  });

  it('ImageFolder: an image beyond IMAGE_LIMITS is a DatasetError naming it, before it is decoded', async () => {
    /** An RGB PNG whose IHDR says width × height, with one row of real data (not what the header promises). */
    const png = (width: number, height: number) => {
      const chunk = (type: string, data: Buffer) => {
        const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
        const out = Buffer.alloc(body.length + 8);
        out.writeUInt32BE(data.length, 0);
        body.copy(out, 4);
        out.writeUInt32BE(crc32(body), body.length + 4);
        return out;
      };
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(width, 0);
      ihdr.writeUInt32BE(height, 4);
      ihdr.set([8, 2, 0, 0, 0], 8);
      const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))), chunk('IEND', Buffer.alloc(0))]);
    };
    const dir = await tmp();
    await mkdir(path.join(dir, 'a'));
    // 900 megapixels declared by a file of a few hundred bytes; a valid 1×5000 strip (sharp decodes it).
    await writeFile(path.join(dir, 'a', 'huge.png'), png(30_000, 30_000));
    const sharp = (await import('sharp')).default;
    await sharp(new Uint8Array(5000 * 3), { raw: { width: 1, height: 5000, channels: 3 } }).png().toFile(path.join(dir, 'a', 'strip.png'));
    const source = await imageFolderSource(dir);
    for (const [index, name, size] of [[0, 'huge.png', '30000x30000'], [1, 'strip.png', '1x5000']] as const) {
      const error = await source.read(index).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as Error).message).toBe(
        `image folder: cannot decode ${path.join(dir, 'a', name)}: a ${size} image is beyond the limits (IMAGE_LIMITS of @resnext/pretrained: 32768 pixels a side, 50000000 pixels, aspect ratio 100:1)`,
      );
    }
  });
});
