// The pixel size a JPEG, PNG or WebP file declares in its header, read without decoding: so the
// size can be checked against the preprocessing limits before a decoder allocates for it.
import type { ImageFormat } from './image_format.js';

/** Width and height in pixels, as a file header declares them. */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

const u16be = (b: Uint8Array, at: number) => ((b[at] as number) << 8) | (b[at + 1] as number);
const u16le = (b: Uint8Array, at: number) => (b[at] as number) | ((b[at + 1] as number) << 8);
const u24le = (b: Uint8Array, at: number) => u16le(b, at) | ((b[at + 2] as number) << 16);
const u32be = (b: Uint8Array, at: number) => u16be(b, at) * 0x10000 + u16be(b, at + 2);
const ascii = (b: Uint8Array, at: number, text: string) => text.split('').every((ch, i) => b[at + i] === ch.charCodeAt(0));

/** PNG: the IHDR chunk must come first, right after the 8-byte signature. */
function pngSize(b: Uint8Array): ImageSize | undefined {
  if (b.length < 24 || !ascii(b, 12, 'IHDR')) return undefined;
  return { width: u32be(b, 16), height: u32be(b, 20) };
}

/**
 * JPEG: walks the marker segments up to the first start-of-frame (SOF0..SOF15 but DHT, JPG and
 * DAC, which share the range). A scan before any frame header, or a frame height of 0 (defined
 * later by a DNL marker, which libjpeg refuses), gives `undefined`: the decoder then reports it.
 */
function jpegSize(b: Uint8Array): ImageSize | undefined {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1] as number;
    // Fill bytes: any number of 0xFF may precede a marker.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    // Markers without a length field.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined;
    const length = u16be(b, at + 2);
    if (length < 2) return undefined;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > b.length) return undefined;
      const height = u16be(b, at + 5);
      const width = u16be(b, at + 7);
      return height === 0 ? undefined : { width, height };
    }
    at += 2 + length;
  }
  return undefined;
}

/** WebP: the first chunk after `RIFF....WEBP` is `VP8 ` (lossy), `VP8L` (lossless) or `VP8X` (extended, with the canvas size). */
function webpSize(b: Uint8Array): ImageSize | undefined {
  if (b.length < 30) return undefined;
  if (ascii(b, 12, 'VP8X')) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  if (ascii(b, 12, 'VP8L')) {
    if (b[20] !== 0x2f) return undefined;
    const bits = (b[21] as number) | ((b[22] as number) << 8) | ((b[23] as number) << 16) | ((b[24] as number) << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (ascii(b, 12, 'VP8 ')) {
    // Frame tag (3 bytes), then the key frame's start code and the 14-bit sizes (2 bits of scaling above them).
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  return undefined;
}

/**
 * The size declared by the header of a file already sniffed as `format`, or `undefined` when the
 * header is too short or not laid out as expected (the decoder then decides, and its output is
 * checked instead). Reads only the first bytes (JPEG: the segments before the frame header).
 */
export function imageHeaderSize(bytes: Uint8Array, format: ImageFormat): ImageSize | undefined {
  switch (format) {
    case 'png':
      return pngSize(bytes);
    case 'jpeg':
      return jpegSize(bytes);
    case 'webp':
      return webpSize(bytes);
  }
}
