/**
 * Random-access image datasets. Every source yields 8-bit HWC images with their label; what is
 * held in memory depends on the dataset (Fashion-MNIST is small and loaded whole; CIFAR records
 * are read by offset; image folders decode one file per read).
 */
import { closeSync, open as openFd, read as readFd } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { CIFAR_FILES } from '../datasets/cifar.js';
import { DatasetError } from '../datasets/dataset_error.js';
import { FASHION_MNIST_LABELS, loadFashionMnist } from '../datasets/fashion_mnist.js';
import { imageSizeProblem } from './image_size.js';

/** One image (HWC, 8 bits per value) and its class index. */
export interface LabeledImage {
  pixels: Uint8Array;
  height: number;
  width: number;
  channels: number;
  label: number;
}

/** A dataset the loader can read any example of, in any order. */
export interface ImageSource {
  readonly name: string;
  readonly size: number;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  /** [height, width, channels] when every image has it; null for folders of photos of any size. */
  readonly shape: readonly [number, number, number] | null;
  read(index: number): Promise<LabeledImage>;
}

function checkIndex(source: { name: string; size: number }, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= source.size) {
    throw new RangeError(`${source.name}: index ${index} is outside 0–${source.size - 1}`);
  }
}

/** Fashion-MNIST (or MNIST) from IDX files, plain or .gz; the split is held in memory (47 MB for train). */
export function fashionMnistSource(split: 'train' | 'test', options: { dir?: string } = {}): ImageSource {
  const data = loadFashionMnist(split, options);
  const { height, width } = data;
  const pixels = height * width;
  const source: ImageSource = {
    name: `fashion-mnist/${split}`,
    size: data.count,
    numClasses: 10,
    classNames: FASHION_MNIST_LABELS,
    shape: [height, width, 1],
    // async so that a bad index rejects like every other source's read.
    // eslint-disable-next-line @typescript-eslint/require-await
    async read(index) {
      checkIndex(source, index);
      return { pixels: data.images.subarray(index * pixels, (index + 1) * pixels), height, width, channels: 1, label: data.labels[index]! };
    },
  };
  return source;
}

const CIFAR_PIXELS = 32 * 32;

/**
 * CIFAR-10/100 binary batches (the "binary version" files), read record by record at their byte
 * offset: the set is never in memory. CIFAR-100 gives the fine label.
 */
export async function cifarSource(dir: string, options: { variant: 10 | 100; split: 'train' | 'test' }): Promise<ImageSource> {
  const key = options.variant === 10 ? 'cifar10' : 'cifar100';
  const labelBytes = options.variant === 10 ? 1 : 2;
  const recordBytes = labelBytes + 3 * CIFAR_PIXELS;
  const files: CifarFile[] = [];
  let size = 0;
  for (const name of CIFAR_FILES[key][options.split]) {
    const file = path.join(dir, name);
    const bytes = await stat(file).then(
      (s) => s.size,
      () => {
        throw new DatasetError(
          `${key} file ${file} not found. CIFAR cannot be downloaded here: put the binary-version files (${CIFAR_FILES[key][options.split].join(', ')}) in ${dir}.`,
        );
      },
    );
    if (bytes === 0 || bytes % recordBytes !== 0) throw new DatasetError(`${file}: ${bytes} bytes is not a whole number of ${recordBytes}-byte ${key} records`);
    files.push({ file, first: size, count: bytes / recordBytes });
    size += bytes / recordBytes;
  }
  // One descriptor per file, opened on first use and shared by all reads (opening per record
  // costs more than the read); closed when the source is garbage-collected.
  const fds = new Map<CifarFile, Promise<number>>();
  const fdOf = (entry: CifarFile) => {
    let fd = fds.get(entry);
    if (fd === undefined) {
      fd = new Promise<number>((resolve, reject) => openFd(entry.file, 'r', (err, n) => (err ? reject(err) : resolve(n))));
      fds.set(entry, fd);
    }
    return fd;
  };
  const source: ImageSource = {
    name: `${key}/${options.split}`,
    size,
    numClasses: options.variant,
    classNames: Array.from({ length: options.variant }, (_, i) => String(i)),
    shape: [32, 32, 3],
    async read(index) {
      checkIndex(source, index);
      const entry = files.find((f) => index < f.first + f.count)!;
      const record = new Uint8Array(recordBytes);
      const bytesRead = await readAt(await fdOf(entry), record, (index - entry.first) * recordBytes);
      if (bytesRead !== recordBytes) throw new DatasetError(`${entry.file}: record ${index - entry.first} is truncated`);
      const label = record[labelBytes - 1]!;
      if (label >= options.variant) throw new DatasetError(`${entry.file}: label ${label} of record ${index - entry.first} is out of range 0–${options.variant - 1}`);
      const pixels = new Uint8Array(3 * CIFAR_PIXELS);
      for (let p = 0; p < CIFAR_PIXELS; p++) {
        pixels[3 * p] = record[labelBytes + p]!;
        pixels[3 * p + 1] = record[labelBytes + CIFAR_PIXELS + p]!;
        pixels[3 * p + 2] = record[labelBytes + 2 * CIFAR_PIXELS + p]!;
      }
      return { pixels, height: 32, width: 32, channels: 3, label };
    },
  };
  closeOnCollect.register(source, fds);
  return source;
}

interface CifarFile {
  file: string;
  first: number;
  count: number;
}

const closeOnCollect = new FinalizationRegistry<Map<CifarFile, Promise<number>>>((fds) => {
  for (const fd of fds.values()) void fd.then((n) => closeSync(n), () => undefined);
});

/** Positional read into `buffer` (all of it unless the file ends first); resolves to the bytes read. */
function readAt(fd: number, buffer: Uint8Array, position: number): Promise<number> {
  return new Promise((resolve, reject) => readFd(fd, buffer, 0, buffer.length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

const IMAGE_FILE = /\.(jpe?g|png|webp)$/i;

/**
 * torchvision's `ImageFolder`: one sub-folder per class (sorted by name = class index), images
 * (JPEG, PNG, WebP) inside, sorted by path. Images are decoded on each read, to RGB, with sharp;
 * an image whose header declares a size beyond `IMAGE_LIMITS` of `@resnext/pretrained` is a
 * {@link DatasetError} naming the file, before it is decoded.
 */
export async function imageFolderSource(dir: string): Promise<ImageSource> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw new DatasetError(`image folder ${dir} not found: expected one sub-folder of JPEG/PNG images per class (torchvision ImageFolder layout).`);
  });
  const classNames = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  if (classNames.length === 0) throw new DatasetError(`image folder ${dir} has no class sub-folders (expected ${dir}/<class>/<image>.jpg).`);
  const items: { file: string; label: number }[] = [];
  for (const [label, name] of classNames.entries()) {
    const files = (await readdir(path.join(dir, name))).filter((f) => IMAGE_FILE.test(f)).sort();
    for (const f of files) items.push({ file: path.join(dir, name, f), label });
  }
  if (items.length === 0) throw new DatasetError(`image folder ${dir} has class folders but no .jpg/.jpeg/.png/.webp images.`);
  const sharp = (await import('sharp')).default;
  const source: ImageSource = {
    name: `image-folder:${dir}`,
    size: items.length,
    numClasses: classNames.length,
    classNames,
    shape: null,
    async read(index) {
      checkIndex(source, index);
      const { file, label } = items[index]!;
      // The header's size first (metadata reads no pixels, so sharp's own pixel limit is lifted for
      // it): a small file may declare a huge image.
      const { width, height } = await sharp(file, { limitInputPixels: false })
        .metadata()
        .catch((err: unknown) => {
          throw new DatasetError(`image folder: cannot decode ${file}: ${(err as Error).message}`);
        });
      const tooLarge = imageSizeProblem(width ?? 0, height ?? 0);
      if (tooLarge !== undefined) throw new DatasetError(`image folder: cannot decode ${file}: ${tooLarge}`);
      try {
        const { data, info } = await sharp(file, { limitInputPixels: width * height }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
        if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
        return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), height: info.height, width: info.width, channels: 3, label };
      } catch (err) {
        throw new DatasetError(`image folder: cannot decode ${file}: ${(err as Error).message}`);
      }
    },
  };
  return source;
}
