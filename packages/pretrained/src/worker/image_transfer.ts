/**
 * Page side: an image input as the message that carries it to the worker, with what to transfer.
 * DOM sources are snapshotted as an ImageBitmap (asynchronous; the worker cannot see the DOM).
 */
import { ImageDecodeError } from '../preprocess/image_decode_error.js';
import type { WireImage } from './protocol.js';
import { transferableBytes } from './transfer_bytes.js';

/**
 * What `WorkerClassifier.classify` takes: DOM image sources, `ImageData`, encoded JPEG / PNG / WebP
 * bytes, or a `Blob` (a `File`) of them.
 *
 * Bytes, `ArrayBuffer`s and `ImageBitmap`s are transferred to the worker, not copied: afterwards the
 * caller's buffer is detached (length 0) and the bitmap closed. Pass a copy (`bytes.slice()`) to keep
 * them. A `Uint8Array` that views only part of its buffer, or a shared buffer, is copied instead.
 */
export type WorkerImageInput =
  | ImageBitmap
  | ImageData
  | Blob
  | ArrayBuffer
  | Uint8Array
  | HTMLImageElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | HTMLVideoElement;

/** A wire image and the objects to transfer with it. */
export interface PreparedImage {
  image: WireImage;
  transfer: Transferable[];
}

const isInstance = (value: unknown, name: string): boolean => {
  const cls = (globalThis as Record<string, unknown>)[name];
  return typeof cls === 'function' && value instanceof (cls as abstract new (...args: never[]) => unknown);
};

function describe(input: unknown): string {
  if (input === null || typeof input !== 'object') return String(input);
  return (input as { constructor?: { name?: string } }).constructor?.name ?? 'object';
}

/** Bytes as a wire image, transferred. */
function bytesMessage(input: Uint8Array): PreparedImage {
  const { bytes, transfer } = transferableBytes(input);
  return { image: { kind: 'bytes', bytes }, transfer };
}

/** Whether an element or canvas has pixels yet: createImageBitmap would reject an image still loading with a vaguer error. */
function checkHasPixels(input: object, kind: string): void {
  const { naturalWidth, videoWidth, width, height } = input as { naturalWidth?: number; videoWidth?: number; width?: number; height?: number };
  const w = naturalWidth ?? videoWidth ?? width ?? 0;
  const h = (input as { naturalHeight?: number }).naturalHeight ?? (input as { videoHeight?: number }).videoHeight ?? height ?? 0;
  if (!(w > 0 && h > 0)) throw new ImageDecodeError(kind, `has no pixels yet (size ${w}x${h}); wait for it to load before classifying`);
}

/**
 * The message for one image. Unsupported inputs and DOM sources that cannot be read are
 * {@link ImageDecodeError}s, as `classify` on the page throws them.
 */
export async function prepareImage(input: WorkerImageInput): Promise<PreparedImage> {
  if ((input as unknown) === null || typeof input !== 'object') throw new ImageDecodeError(describe(input), 'not an image input');
  if (input instanceof Uint8Array) return bytesMessage(input);
  if (input instanceof ArrayBuffer) return { image: { kind: 'bytes', bytes: new Uint8Array(input) }, transfer: [input] };
  if (isInstance(input, 'ImageBitmap')) return { image: { kind: 'bitmap', bitmap: input as ImageBitmap }, transfer: [input as ImageBitmap] };
  // A Blob is cloned by reference: the worker reads it, no bytes are copied on the page.
  if (isInstance(input, 'Blob')) return { image: { kind: 'blob', blob: input as Blob }, transfer: [] };
  if (isInstance(input, 'ImageData')) {
    const { data, width, height } = input as ImageData;
    return { image: { kind: 'pixels', data, width, height }, transfer: [] };
  }
  for (const kind of ['HTMLImageElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'HTMLVideoElement']) {
    if (!isInstance(input, kind)) continue;
    checkHasPixels(input, kind);
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(input);
    } catch (cause) {
      throw new ImageDecodeError(kind, `could not be read into an ImageBitmap (${String(cause)})`, { cause });
    }
    return { image: { kind: 'bitmap', bitmap }, transfer: [bitmap] };
  }
  throw new ImageDecodeError(
    describe(input),
    'not an image input for a worker classifier (expected an ImageBitmap, ImageData, Blob, bytes, or an image, canvas or video element)',
  );
}
