// Hostile image bytes for tests, built by hand (Node and browser): a header that declares any size,
// followed by as little data as wanted.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 12);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(data.length + 8, crc32(out.subarray(4, data.length + 8)));
  return out;
}

const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/**
 * An 8-bit RGB PNG whose IHDR declares `width × height`, with `zlibData` as its single IDAT
 * (default: a few bytes that are not the pixels the header promises).
 */
export function pngWithSize(width: number, height: number, zlibData: Uint8Array = Uint8Array.from([0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1])): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return concat([Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', zlibData), pngChunk('IEND', new Uint8Array(0))]);
}

/** A copy of a JPEG whose first frame header (SOFn) declares `width × height` instead; the scan data is unchanged. */
export function jpegWithSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  // Uint8Array.from, not slice: a Buffer's slice shares its memory.
  const out = Uint8Array.from(jpeg);
  let at = 2;
  while (at + 4 <= out.length) {
    const marker = out[at + 1] as number;
    const length = ((out[at + 2] as number) << 8) | (out[at + 3] as number);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      out.set([height >> 8, height & 0xff, width >> 8, width & 0xff], at + 5);
      return out;
    }
    at += 2 + length;
  }
  throw new Error('no frame header in this JPEG');
}

/** An extended WebP (VP8X) whose canvas is `width × height`, with no image data after the header. */
export function webpWithSize(width: number, height: number): Uint8Array {
  const out = new Uint8Array(30);
  const ascii = (at: number, text: string) => text.split('').forEach((ch, i) => (out[at + i] = ch.charCodeAt(0)));
  const view = new DataView(out.buffer);
  ascii(0, 'RIFF');
  view.setUint32(4, 22, true);
  ascii(8, 'WEBP');
  ascii(12, 'VP8X');
  view.setUint32(16, 10, true);
  const w = width - 1;
  const h = height - 1;
  out.set([w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff], 24);
  return out;
}
