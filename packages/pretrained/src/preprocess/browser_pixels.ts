// Browser-only: reads pixels of DOM image sources through a 2D canvas. Loaded on demand by
// `preprocess.ts`, so Node never evaluates it.
import { ImageDecodeError } from './image_decode_error.js';
import { FORMAT_NAMES, describeMagic, sniffImageFormat } from './image_format.js';
import { imageHeaderSize } from './image_header.js';
import { checkImageSize } from './image_limits.js';
import { rgbFromImageData, type RgbImage } from './rgb_image.js';

/** Image sources a browser can draw: what `tf.browser.fromPixels` takes, plus `OffscreenCanvas`. */
export type BrowserImageSource = HTMLImageElement | HTMLCanvasElement | HTMLVideoElement | ImageBitmap | OffscreenCanvas;

/** Whether `input` is one of the {@link BrowserImageSource} classes this page defines. */
export function isBrowserImageSource(input: unknown): input is BrowserImageSource {
  const classes = [globalThis.HTMLImageElement, globalThis.HTMLCanvasElement, globalThis.HTMLVideoElement, globalThis.ImageBitmap, globalThis.OffscreenCanvas];
  return classes.some((c) => typeof c === 'function' && input instanceof c);
}

function sourceSize(image: BrowserImageSource): { width: number; height: number; kind: string } {
  if (typeof HTMLImageElement !== 'undefined' && image instanceof HTMLImageElement) {
    // naturalWidth: the decoded picture, not the layout size the page gives the element.
    return { width: image.naturalWidth, height: image.naturalHeight, kind: 'HTMLImageElement' };
  }
  if (typeof HTMLVideoElement !== 'undefined' && image instanceof HTMLVideoElement) {
    return { width: image.videoWidth, height: image.videoHeight, kind: 'HTMLVideoElement' };
  }
  return { width: image.width, height: image.height, kind: image.constructor.name };
}

/**
 * Draws a DOM image source onto a fresh 2D canvas and reads its 8-bit RGBA pixels. A canvas rather
 * than `tf.browser.fromPixels`: the resize runs in TypeScript on bytes, so going through a tensor
 * would only add a GPU round trip, and fromPixels takes no `OffscreenCanvas`. Any canvas, even one
 * holding a WebGL context, can be drawn; an image not yet loaded, or one beyond `IMAGE_LIMITS`, is
 * an {@link ImageDecodeError}.
 */
export function rgbFromBrowserSource(image: BrowserImageSource): RgbImage {
  const { width, height, kind } = sourceSize(image);
  if (!(width > 0 && height > 0)) {
    throw new ImageDecodeError(kind, `has no pixels yet (size ${width}x${height}); wait for it to load before preprocessing`);
  }
  // Before the canvas: it and getImageData would hold two more copies of the pixels.
  checkImageSize(width, height, kind);
  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) throw new ImageDecodeError(kind, 'this browser gives no 2D canvas context to read pixels with');
  context.drawImage(image, 0, 0);
  return rgbFromImageData(context.getImageData(0, 0, width, height), kind);
}

/**
 * Decodes JPEG, PNG or WebP bytes with the browser's own decoders (`createImageBitmap`), without
 * colour-space conversion or alpha premultiplication so the bytes stay as the file stores them.
 * Browser JPEG decoders are not PIL's libjpeg-turbo: expect small differences on JPEG. The size the
 * header declares is checked against `IMAGE_LIMITS` before the browser decodes anything.
 */
export async function decodeImageBytesInBrowser(bytes: Uint8Array, source = 'image bytes'): Promise<RgbImage> {
  const format = sniffImageFormat(bytes);
  if (format === undefined) throw new ImageDecodeError(source, `unsupported image type: ${describeMagic(bytes)}`);
  const declared = imageHeaderSize(bytes, format);
  if (declared !== undefined) checkImageSize(declared.width, declared.height, source);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: `image/${format}` }), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
  } catch (cause) {
    throw new ImageDecodeError(source, `corrupt or unreadable ${FORMAT_NAMES[format]} data (${String(cause)})`, { cause });
  }
  try {
    return rgbFromBrowserSource(bitmap);
  } finally {
    bitmap.close();
  }
}
