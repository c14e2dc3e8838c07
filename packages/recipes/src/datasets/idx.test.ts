import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetError } from './dataset_error.js';
import { parseIdx } from './idx.js';

const idx = (dims: number[], data: number[]) => {
  const header = new Uint8Array(4 + 4 * dims.length);
  header.set([0, 0, 8, dims.length]);
  dims.forEach((d, i) => new DataView(header.buffer).setUint32(4 + 4 * i, d, false));
  return Uint8Array.from([...header, ...data]);
};

describe('parseIdx', () => {
  it('reads dimensions and bytes, plain and gzipped', () => {
    const file = idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const bytes of [file, gzipSync(file)]) {
      const { dims, data } = parseIdx(bytes, 't');
      expect(dims).toEqual([2, 2, 3]);
      expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    }
  });

  it.each([
    ['a bad magic number', Uint8Array.from([1, 2, 3, 4]), /not an IDX file/],
    ['a non-byte element type', Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]), /type 0xd is not supported/],
    ['a truncated body', idx([3], [1, 2]), /need 3 bytes of data, the file has 2/],
  ])('rejects %s with a DatasetError naming the file', (_, bytes, message) => {
    expect(() => parseIdx(bytes, 'x.idx')).toThrow(DatasetError);
    expect(() => parseIdx(bytes, 'x.idx')).toThrow(message);
    expect(() => parseIdx(bytes, 'x.idx')).toThrow(/^x\.idx: /);
  });
});
