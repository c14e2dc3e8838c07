// Hostile image files built by hand for the corpus: headers that declare any size, data that is
// valid, missing, cut short or damaged.
import * as zlib from 'node:zlib';

/** An 8×8 gray baseline JPEG (quality 50): a real file whose frame header the cases rewrite. */
export const TINY_JPEG = Buffer.from(
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAUAQEAAAAAAAAAAAAAAAAAAAAA/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AAA//2Q==',
  'base64',
);

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(zlib.crc32(body), body.length + 4);
  return out;
}

/** An 8-bit RGB PNG whose IHDR says `width × height`, with `zlibData` as its one IDAT (default: 9 bytes, not the promised pixels). */
export function pngWithSize(width, height, zlibData = Buffer.from([0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1])) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlibData), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * A valid black PNG of any size, small whatever its pixel count: one zlib block of zero rows,
 * fully flushed so it depends on nothing before it, repeated; the Adler-32 of n zero bytes is
 * (n mod 65521) << 16 | 1. `rowsPerBlock` must divide `height`.
 */
export function blackPng(width, height, rowsPerBlock = 1) {
  const rowBytes = 1 + width * 3;
  const block = zlib.deflateRawSync(Buffer.alloc(rowBytes * rowsPerBlock), { finishFlush: zlib.constants.Z_FULL_FLUSH });
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((rowBytes * height) % 65521) << 16 | 1) >>> 0);
  const blocks = Array(height / rowsPerBlock).fill(block);
  return pngWithSize(width, height, Buffer.concat([Buffer.from([0x78, 0x01]), ...blocks, Buffer.from([0x03, 0x00]), adler]));
}

/** A copy of a JPEG whose frame header (SOFn) says `width × height`; the scan data is unchanged. */
export function jpegWithSize(jpeg, width, height) {
  const out = Buffer.from(jpeg);
  for (let at = 2; at + 4 <= out.length; at += 2 + out.readUInt16BE(at + 2)) {
    const marker = out[at + 1];
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      out.writeUInt16BE(height, at + 5);
      out.writeUInt16BE(width, at + 7);
      return out;
    }
  }
  throw new Error('no frame header');
}

/** An extended WebP (VP8X) whose canvas is `width × height`, and nothing after the header. */
export function webpWithSize(width, height) {
  const out = Buffer.alloc(30);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(22, 4);
  out.write('WEBPVP8X', 8, 'latin1');
  out.writeUInt32LE(10, 16);
  out.writeUIntLE(width - 1, 24, 3);
  out.writeUIntLE(height - 1, 27, 3);
  return out;
}
