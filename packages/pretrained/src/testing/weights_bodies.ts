/**
 * Download test bodies: pseudo-random bytes that are, structurally, a complete safetensors file of
 * an exact size (one U8 tensor), since a download without a digest is only cached when it is a
 * complete safetensors file or zip archive.
 */

/** Deterministic pseudo-random bytes (a 32-bit LCG), different per seed. */
function randomBytes(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i += 1) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A safetensors file of exactly `size` bytes (at least 128) whose one tensor holds pseudo-random bytes. */
export function safetensorsBody(size: number, seed: number): Uint8Array<ArrayBuffer> {
  if (size < 128) throw new RangeError(`a safetensors test body needs at least 128 bytes, got ${size}`);
  // The header's length depends on the data length written in it: settle on a fixed point.
  let headerLength = 0;
  let header = '';
  for (let settled = false; !settled; ) {
    const data = size - 8 - headerLength;
    header = JSON.stringify({ w: { dtype: 'U8', shape: [data], data_offsets: [0, data] } });
    const padded = Math.ceil(header.length / 8) * 8;
    settled = padded === headerLength;
    headerLength = padded;
  }
  const out = randomBytes(size, seed);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(new TextEncoder().encode(header.padEnd(headerLength, ' ')), 8);
  return out;
}
