/** Fashion-MNIST test images from Debian's dataset-fashion-mnist package, as the demo's test uses them. */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';

const DIR = '/usr/share/datasets/fashion-mnist';
/** Debian's copy of the 10,000 test images and their labels (idx format, gzipped). */
const TEST_IMAGES = `${DIR}/t10k-images-idx3-ubyte.gz`;
const TEST_LABELS = `${DIR}/t10k-labels-idx1-ubyte.gz`;

/** The test set: `count` 28×28 images (row-major bytes, 0 = background) and their labels. */
export interface FashionMnistSet {
  count: number;
  images: Uint8Array;
  labels: Uint8Array;
}

function idx(bytes: Uint8Array, magic: number, file: string): { dims: number[]; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== magic) throw new Error(`${file}: not an idx file with magic 0x${magic.toString(16)}`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== offset + size) throw new Error(`${file}: ${bytes.length} bytes, expected ${offset + size}`);
  return { dims, data: bytes.subarray(offset) };
}

/** Reads the test set. */
export async function readTestSet(): Promise<FashionMnistSet> {
  const images = idx(gunzipSync(await readFile(TEST_IMAGES)), 0x00000803, TEST_IMAGES);
  const labels = idx(gunzipSync(await readFile(TEST_LABELS)), 0x00000801, TEST_LABELS);
  if (images.dims[1] !== 28 || images.dims[2] !== 28 || images.dims[0] !== labels.dims[0]) {
    throw new Error(`unexpected shapes: images [${images.dims.join(', ')}], labels [${labels.dims.join(', ')}]`);
  }
  return { count: labels.dims[0] ?? 0, images: images.data, labels: labels.data };
}

/** Image `index` as its 784 gray bytes. */
export function pixelsOf(set: FashionMnistSet, index: number): Uint8Array {
  if (!(index >= 0 && index < set.count)) throw new RangeError(`image ${index} is outside the test set (0–${set.count - 1})`);
  return set.images.subarray(784 * index, 784 * (index + 1));
}

/** A 28×28 8-bit grayscale PNG of image `index`. */
export function pngOf(set: FashionMnistSet, index: number): Promise<Buffer> {
  return sharp(Buffer.from(pixelsOf(set, index)), { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('b-w').png().toBuffer();
}
