// Browser tests: the first Fashion-MNIST test images, from fixtures/fashion-mnist (a sample of
// Debian's dataset-fashion-mnist; the page cannot read /usr/share/datasets), read through the
// Vitest server.
import { commands } from 'vitest/browser';

const SAMPLE = 32;

async function readFixture(name: string): Promise<Uint8Array> {
  // Paths are relative to the package.
  const base64 = await commands.readFile(`../../fixtures/fashion-mnist/${name}`, 'base64');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** The first `count` (at most 32) test images (28×28 gray, row-major) and their labels. */
export async function fashionMnistTestImages(count: number): Promise<{ images: Uint8Array[]; labels: number[] }> {
  if (count > SAMPLE) throw new RangeError(`the fixture holds ${SAMPLE} images`);
  const [images, labels] = await Promise.all([
    readFixture(`t10k-first${SAMPLE}-images-idx3-ubyte`),
    readFixture(`t10k-first${SAMPLE}-labels-idx1-ubyte`),
  ]);
  // idx headers: 16 bytes (magic, count, rows, cols) for images, 8 (magic, count) for labels.
  return {
    images: Array.from({ length: count }, (_, i) => images.slice(16 + i * 784, 16 + (i + 1) * 784)),
    labels: Array.from(labels.subarray(8, 8 + count)),
  };
}

/** A gray image as opaque RGBA ImageData. */
export function grayImageData(gray: Uint8Array, width = 28, height = 28): ImageData {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) rgba.set([gray[p]!, gray[p]!, gray[p]!, 255], p * 4);
  return new ImageData(rgba, width, height);
}

/** A gray image drawn on a canvas element. */
export function grayCanvas(gray: Uint8Array): HTMLCanvasElement {
  const canvas = Object.assign(document.createElement('canvas'), { width: 28, height: 28 });
  canvas.getContext('2d')!.putImageData(grayImageData(gray), 0, 0);
  return canvas;
}

/** A gray image encoded as PNG by the browser. */
export async function grayPng(gray: Uint8Array): Promise<Blob> {
  const canvas = new OffscreenCanvas(28, 28);
  canvas.getContext('2d')!.putImageData(grayImageData(gray), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}
