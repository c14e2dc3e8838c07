import { describe, expect, it } from 'vitest';
import { WeightsFormatError } from '../errors.js';
import { contiguousStride, pthFile, type PickledTensor } from '../testing/checkpoint_builders.js';
import { readPytorchCheckpoint } from './pytorch_checkpoint.js';

const view = (key: string, size: number[], over: Partial<PickledTensor> = {}): PickledTensor => ({
  key, storage: '0', type: 'FloatStorage', numel: size.reduce((a, b) => a * b, 1), offset: 0, size, stride: contiguousStride(size), ...over,
});
const arrayBuffersMb = () => process.memoryUsage().arrayBuffers / 2 ** 20;

describe('readPytorchCheckpoint: sizes and references checked before work', () => {
  it('decodes a half storage viewed by 200 tensors once, and the tensors share it', () => {
    const numel = 512 * 1024; // 1 MiB of float16; 2 MiB decoded
    const storage = new Uint8Array(numel * 2);
    storage[1] = 0x3c; // element 0 is 1.0 (0x3c00)
    const tensors = Array.from({ length: 200 }, (_, i) => view(`w${i}`, [numel], { type: 'HalfStorage', numel }));
    const file = pthFile(tensors, { '0': storage });
    const before = arrayBuffersMb();
    const read = readPytorchCheckpoint(file, 'shared.pth');
    const grown = arrayBuffersMb() - before;
    console.log(`shared: +${grown.toFixed(0)} MiB`);
    // Decoding per view would take 200 × 2 MiB = 400 MiB.
    expect(grown).toBeLessThan(40);
    const buffers = new Set([...read.values()].map((t) => t.values.buffer));
    expect(buffers.size).toBe(1);
    expect(read.get('w199')!.values[0]).toBe(1);
  });

  it('refuses strided views that would gather more than the output budget, before allocating them', () => {
    const n = 1024;
    const storage = new Uint8Array(n * n * 4);
    // 100 transposed views of a 4 MiB storage: 400 MiB of gathered copies from a 4 MiB file.
    const tensors = Array.from({ length: 100 }, (_, i) => view(`t${i}`, [n, n], { numel: n * n, stride: [1, n] }));
    const file = pthFile(tensors, { '0': storage });
    const before = arrayBuffersMb();
    const t0 = performance.now();
    const error = (() => {
      try {
        readPytorchCheckpoint(file, 'strided.pth');
      } catch (err) {
        return err as Error;
      }
      return undefined;
    })();
    console.log(`strided: ${(performance.now() - t0).toFixed(0)} ms, +${(arrayBuffersMb() - before).toFixed(0)} MiB`);
    expect(error).toBeInstanceOf(WeightsFormatError);
    expect(error!.message).toMatch(/^strided\.pth: .*gathering a strided tensor of size \[1024, 1024\].*beyond the reader's budget/);
    // Views are charged while the pickle is read and filled only after, so the refusal comes before
    // any copy: gathering until the 48 MiB budget ran out would have allocated 44 MiB.
    expect(arrayBuffersMb() - before).toBeLessThan(16);
  });

  it('still gathers an honest transposed view', () => {
    const file = pthFile([view('w', [2, 3]), view('wt', [3, 2], { numel: 6, stride: [1, 3] })], { '0': new Uint8Array(Float32Array.from([0, 1, 2, 3, 4, 5]).buffer) });
    const read = readPytorchCheckpoint(file, 'ok.pth');
    expect(Array.from(read.get('wt')!.values)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(Array.from(read.get('w')!.values)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  const hostile: [string, () => Uint8Array, RegExp][] = [
    ['zero elements with huge dims', () => pthFile([view('conv1.weight', [1e9, 1e9, 0, 3], { numel: 0 })], { '0': new Uint8Array() }), /tensor shape \[1000000000, 1000000000, 0, 3\] spans more than 2147483647 elements/],
    ['huge dims over a tiny storage', () => pthFile([view('w', [2 ** 40, 2 ** 40], { numel: 1 })], { '0': new Uint8Array(4) }), /spans more than 2147483647 elements/],
    ['a huge stride', () => pthFile([view('w', [2, 2], { numel: 4, stride: [2 ** 52, 1] })], { '0': new Uint8Array(16) }), /reads element .* of a 4-element storage/],
    ['a negative dimension', () => pthFile([view('w', [-1, 4], { numel: 4, stride: [4, 1] })], { '0': new Uint8Array(16) }), /tensor size is not a tuple of non-negative integers/],
    ['a storage offset past the end', () => pthFile([view('w', [4], { numel: 4, offset: 1000 })], { '0': new Uint8Array(16) }), /at offset 1000 reads element 1003 of a 4-element storage/],
    ['an empty tensor offset past the end', () => pthFile([view('w', [0], { numel: 4, offset: 1000 })], { '0': new Uint8Array(16) }), /offset 1000 is past the end of a 4-element storage/],
    ['a negative storage size', () => pthFile([view('w', [1], { numel: -4 })], { '0': new Uint8Array(16) }), /storage key or size malformed/],
    ['a fractional storage size', () => pthFile([view('w', [1], { numel: 1.5 })], { '0': new Uint8Array(16) }), /storage key or size malformed|malformed/],
    ['a rank beyond the limit', () => pthFile([view('w', new Array<number>(65).fill(1), { numel: 1 })], { '0': new Uint8Array(4) }), /tensor size has 65 dimensions, more than the 64 allowed/],
    ['a reference to a storage with no entry', () => pthFile([view('w', [1], { storage: '7' })], { '0': new Uint8Array(4) }), /storage 7 has no a\/data\/7 entry/],
  ];
  it.each(hostile)('refuses %s with a WeightsFormatError naming the file', (_, make, message) => {
    const call = () => readPytorchCheckpoint(make(), 'hostile.pth');
    expect(call).toThrow(WeightsFormatError);
    expect(call).toThrow(/^hostile\.pth: /);
    expect(call).toThrow(message);
  });
});
