import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WeightsFormatError } from '../errors.js';
import { storedZip } from '../testing/checkpoint_builders.js';
import { readPytorchCheckpoint } from './pytorch_checkpoint.js';
import { readSafetensors } from './safetensors.js';

const fixture = (name: string) => readFileSync(new URL(`../../../../fixtures/torchvision/${name}`, import.meta.url));

const bytes = (...parts: (string | number[] | Uint8Array)[]) =>
  Uint8Array.from(parts.flatMap((p) => [...(typeof p === 'string' ? new TextEncoder().encode(p) : p)]));
const binunicode = (s: string) => bytes([0x58, s.length, 0, 0, 0], s);

/** A state dict {"w": tensor of `size` with `stride` over a FloatStorage of `numel`} as torch.save pickles it. */
function stateDictPickle(size: number[], stride: number[], numel: number, offset = 0) {
  const tuple = (xs: number[]) => bytes([0x28], ...xs.map((x) => [0x4b, x]), [0x74]);
  return bytes(
    [0x80, 2], 'ccollections\nOrderedDict\n', [0x29, 0x52, 0x28], binunicode('w'),
    'ctorch._utils\n_rebuild_tensor_v2\n', [0x28, 0x28], binunicode('storage'), 'ctorch\nFloatStorage\n', binunicode('0'), binunicode('cpu'), [0x4b, numel, 0x74, 0x51],
    [0x4b, offset], tuple(size), tuple(stride), [0x89], 'ccollections\nOrderedDict\n', [0x29, 0x52, 0x74, 0x52],
    [0x75, 0x2e],
  );
}
const f32 = (xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);

describe('readPytorchCheckpoint', () => {
  it('reads the torchvision .pth exactly as the same state dict in safetensors', () => {
    const pth = readPytorchCheckpoint(fixture('tiny_resnext.pth'), 'tiny_resnext.pth');
    const st = readSafetensors(fixture('tiny_resnext.safetensors')).tensors;
    expect([...pth.keys()]).toEqual([...st.keys()]);
    for (const [name, t] of st) {
      const p = pth.get(name)!;
      expect(p.shape, name).toEqual(t.shape);
      expect(p.dtype, name).toBe(t.dtype);
      expect(Array.from(p.values), name).toEqual(Array.from(t.values));
    }
  });

  it('gathers a non-contiguous (transposed) tensor by its strides', () => {
    // storage 0..5 viewed as size [3, 2] with stride [1, 3]: the transpose of [[0,1,2],[3,4,5]].
    const file = storedZip({ 'a/data.pkl': stateDictPickle([3, 2], [1, 3], 6), 'a/data/0': f32([0, 1, 2, 3, 4, 5]) });
    const w = readPytorchCheckpoint(file).get('w')!;
    expect(w.shape).toEqual([3, 2]);
    expect(Array.from(w.values)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  // Views whose innermost stride is 1 but outer ones are not, a strided vector, a permuted 3-d view,
  // size-1 dimensions with arbitrary strides, and an offset: each against the index formula.
  const layouts: [number[], number[], number, number][] = [
    [[3, 2], [4, 1], 12, 1],
    [[5], [3], 15, 0],
    [[2, 3, 4], [1, 8, 2], 24, 0],
    [[2, 1, 3], [3, 7, 1], 6, 0],
    [[2, 2, 2], [12, 1, 4], 24, 2],
  ];
  it.each(layouts)('gathers size %j with stride %j from a %i-element storage at offset %i as the index formula says', (size, stride, numel, offset) => {
    const storage = Array.from({ length: numel }, (_, i) => i + 0.5);
    const file = storedZip({ 'a/data.pkl': stateDictPickle(size, stride, numel, offset), 'a/data/0': f32(storage) });
    const w = readPytorchCheckpoint(file).get('w')!;
    const expected: number[] = [];
    const total = size.reduce((a, b) => a * b, 1);
    for (let flat = 0; flat < total; flat++) {
      let rest = flat;
      let at = offset;
      for (let k = size.length - 1; k >= 0; k--) {
        at += (rest % size[k]!) * stride[k]!;
        rest = Math.floor(rest / size[k]!);
      }
      expected.push(storage[at]!);
    }
    expect(w.shape).toEqual(size);
    expect(Array.from(w.values)).toEqual(expected);
  });

  const malicious: [string, () => Uint8Array, RegExp][] = [
    ['a global outside the allowlist (os.system)', () => storedZip({ 'a/data.pkl': bytes([0x80, 2], 'cos\nsystem\n', binunicode('echo pwned'), [0x85, 0x52, 0x2e]) }), /refuses the global os\.system/],
    ['a builtins eval via STACK_GLOBAL', () => storedZip({ 'a/data.pkl': bytes([0x80, 4], [0x8c, 8], 'builtins', [0x8c, 4], 'eval', [0x93, 0x2e]) }), /refuses the global builtins\.eval/],
    ['a tensor reading past its storage', () => storedZip({ 'a/data.pkl': stateDictPickle([4], [1], 3), 'a/data/0': f32([1, 2, 3]) }), /reads element 3 of a 3-element storage/],
    ['a storage whose entry is shorter than declared', () => storedZip({ 'a/data.pkl': stateDictPickle([4], [1], 4), 'a/data/0': f32([1, 2]) }), /should hold 4 float32 \(16 bytes\) but its entry has 8/],
    ['a missing storage entry', () => storedZip({ 'a/data.pkl': stateDictPickle([1], [1], 1) }), /storage 0 has no a\/data\/0 entry/],
    ['a truncated pickle', () => storedZip({ 'a/data.pkl': stateDictPickle([1], [1], 1).subarray(0, 40), 'a/data/0': f32([1]) }), /truncated|underflow|no mark/],
    ['an unknown opcode', () => storedZip({ 'a/data.pkl': bytes([0x80, 2, 0xff]) }), /unsupported pickle opcode 0xff/],
    ['a non-zip file', () => bytes('not a zip at all, just text padding padding'), /not a zip archive/],
    ['a zip without data.pkl', () => storedZip({ 'a/other': bytes('x') }), /has no <archive>\/data\.pkl/],
    ['a truncated archive', () => readFileSync(new URL('../../../../fixtures/torchvision/tiny_resnext.pth', import.meta.url)).subarray(0, 200_000), /not a zip archive|outside the/],
  ];
  it.each(malicious)('refuses %s with a WeightsFormatError naming the file', (_, make, message) => {
    const call = () => readPytorchCheckpoint(make(), 'evil.pth');
    expect(call).toThrow(WeightsFormatError);
    expect(call).toThrow(/^evil\.pth: /);
    expect(call).toThrow(message);
  });
});
