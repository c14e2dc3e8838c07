import { gunzipSync } from 'node:zlib';
import { DatasetError } from './dataset_error.js';

/** An IDX array (the MNIST / Fashion-MNIST file format): unsigned bytes and their dimensions. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses an IDX file (optionally gzip-compressed, detected by its magic bytes): two zero bytes,
 * a type code (only 0x08, unsigned byte, which MNIST-style data uses), the dimension count, the
 * big-endian 32-bit dimensions, then the data. Sizes are checked against the file.
 */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  if (raw.byteLength < 4 || raw[0] !== 0 || raw[1] !== 0) throw new DatasetError(`${source}: not an IDX file (bad magic number)`);
  if (raw[2] !== 0x08) throw new DatasetError(`${source}: IDX element type 0x${raw[2]!.toString(16)} is not supported (only unsigned bytes, 0x08)`);
  const rank = raw[3]!;
  const headerBytes = 4 + 4 * rank;
  if (raw.byteLength < headerBytes) throw new DatasetError(`${source}: truncated IDX header`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (raw.byteLength - headerBytes !== count) {
    throw new DatasetError(`${source}: IDX dimensions [${dims.join(', ')}] need ${count} bytes of data, the file has ${raw.byteLength - headerBytes}`);
  }
  return { dims, data: raw.subarray(headerBytes) };
}
