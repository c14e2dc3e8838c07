import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DatasetError } from './dataset_error.js';
import { parseIdx } from './idx.js';

/** Where Debian's `dataset-fashion-mnist` package installs the four files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The ten Fashion-MNIST classes, in label order (one list, owned by @resnext/pretrained). */
export { FASHION_MNIST_LABELS } from '@resnext/pretrained';

/** One split of an MNIST-style dataset: n images of h × w bytes and their labels. */
export interface IdxImageSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

const FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

/** The folder to read: the option, else `RESNEXT_FASHION_MNIST_DIR`, else Debian's location. */
function fashionMnistDir(dir?: string): string {
  return dir ?? process.env['RESNEXT_FASHION_MNIST_DIR'] ?? DEBIAN_FASHION_MNIST_DIR;
}

function findFile(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`]) {
    const file = path.join(dir, candidate);
    if (existsSync(file)) return file;
  }
  throw new DatasetError(
    `Fashion-MNIST file ${name}(.gz) not found in ${dir}. Install Debian's package (apt-get install dataset-fashion-mnist, ` +
      `files under ${DEBIAN_FASHION_MNIST_DIR}), or put the four standard files (train/t10k images and labels, plain or .gz) ` +
      `in a folder and pass it as dir or RESNEXT_FASHION_MNIST_DIR.`,
  );
}

/**
 * Reads a Fashion-MNIST (or MNIST) split from its IDX files, plain or gzipped. The whole split
 * is held in memory: 47 MB for the 60,000 training images.
 */
export function loadFashionMnist(split: 'train' | 'test', options: { dir?: string } = {}): IdxImageSplit {
  const dir = fashionMnistDir(options.dir);
  const [imagesName, labelsName] = FILES[split];
  const imagesFile = findFile(dir, imagesName);
  const labelsFile = findFile(dir, labelsName);
  const images = parseIdx(readFileSync(imagesFile), imagesFile);
  const labels = parseIdx(readFileSync(labelsFile), labelsFile);
  const [count, height, width] = images.dims as [number, number, number];
  if (images.dims.length !== 3 || labels.dims.length !== 1 || labels.dims[0] !== count) {
    throw new DatasetError(`${imagesFile} [${images.dims.join(', ')}] and ${labelsFile} [${labels.dims.join(', ')}] do not describe the same images`);
  }
  if (labels.data.some((l) => l > 9)) throw new DatasetError(`${labelsFile}: labels must be 0–9`);
  return { images: images.data, labels: labels.data, count, height, width };
}
