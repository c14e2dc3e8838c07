import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WeightsFormatError } from '../errors.js';
import { safetensorsFile } from '../testing/checkpoint_builders.js';
import { readSafetensors } from './safetensors.js';

const FIXTURE = new URL('../../../../fixtures/torchvision/tiny_resnext.safetensors', import.meta.url);

const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

describe('readSafetensors', () => {
  it('reads the torchvision fixture: shapes, dtypes and values', () => {
    const { tensors, metadata } = readSafetensors(readFileSync(FIXTURE), 'tiny_resnext.safetensors');
    expect(tensors.get('conv1.weight')?.shape).toEqual([16, 3, 7, 7]);
    expect(tensors.get('layer1.0.conv2.weight')?.shape).toEqual([8, 2, 3, 3]); // 4 groups of 2
    expect(tensors.get('layer2.0.downsample.1.running_var')?.dtype).toBe('float32');
    const batches = tensors.get('bn1.num_batches_tracked')!;
    expect(batches.dtype).toBe('int64');
    expect(batches.values[0]).toBeGreaterThan(0);
    expect(JSON.parse(metadata['config']!)).toMatchObject({ groups: 4, stem: 16 });
    // BN variances were drawn from [0.5, 2): values are really decoded, not zeros.
    const v = tensors.get('bn1.running_var')!.values;
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...v)).toBeLessThan(2);
  });

  it('decodes F16, BF16, F64, I64 and I32 by hand-computed values', () => {
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555]).buffer); // 1, -2, ≈0.33325
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0x4049]).buffer); // 1, 3.140625
    const f64 = new Uint8Array(Float64Array.from([0.1]).buffer);
    const i64 = new Uint8Array(BigInt64Array.from([-5n, 7n]).buffer);
    const i32 = new Uint8Array(Int32Array.from([42]).buffer);
    const data = Uint8Array.from([...f64, ...i64, ...i32, ...half, ...bf16]);
    const file = safetensorsFile(
      {
        d: { dtype: 'F64', shape: [1], data_offsets: [0, 8] },
        l: { dtype: 'I64', shape: [2], data_offsets: [8, 24] },
        i: { dtype: 'I32', shape: [], data_offsets: [24, 28] },
        h: { dtype: 'F16', shape: [3], data_offsets: [28, 34] },
        b: { dtype: 'BF16', shape: [2], data_offsets: [34, 38] },
      },
      data,
    );
    const t = readSafetensors(file).tensors;
    expect(Array.from(t.get('h')!.values)).toEqual([1, -2, 0.333251953125]);
    expect(Array.from(t.get('b')!.values)).toEqual([1, 3.140625]);
    expect(t.get('d')!.values[0]).toBeCloseTo(0.1, 7);
    expect(Array.from(t.get('l')!.values)).toEqual([-5, 7]);
    expect(Array.from(t.get('i')!.values)).toEqual([42]);
    expect(t.get('i')!.shape).toEqual([]);
  });

  it('takes a null __metadata__ as none, as the reference reader does', () => {
    expect(readSafetensors(safetensorsFile({ __metadata__: null }, new Uint8Array())).metadata).toEqual({});
  });

  it('returns float32 data without copying when aligned', () => {
    const file = safetensorsFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32([1.5, -2]));
    const w = readSafetensors(file).tensors.get('w')!;
    expect(w.values.buffer).toBe(file.buffer);
    expect(Array.from(w.values)).toEqual([1.5, -2]);
  });

  it('copies float32 data that is not aligned', () => {
    const file = safetensorsFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32([3, 4]), false);
    expect(Array.from(readSafetensors(file).tensors.get('w')!.values)).toEqual([3, 4]);
  });

  const bad: [string, () => Uint8Array, RegExp][] = [
    ['a file shorter than 8 bytes', () => new Uint8Array(5), /shorter than the 8-byte header length/],
    ['a header length past the end', () => { const f = safetensorsFile({}, new Uint8Array()); new DataView(f.buffer).setBigUint64(0, 1n << 40n, true); return f; }, /header length 1099511627776 exceeds the file/],
    ['a header that is not JSON', () => { const f = safetensorsFile({ a: 1 }, new Uint8Array()); f[9] = 0x7b; f[10] = 0x7b; return f; }, /header is not valid UTF-8 JSON/],
    ['an unsupported dtype', () => safetensorsFile({ w: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), /tensor "w": unsupported dtype "C64"/],
    ['a negative dimension', () => safetensorsFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /shape \[-1\] is not a list of non-negative integers/],
    ['sizes that disagree with the shape', () => safetensorsFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), /needs 12 bytes but data_offsets \[0, 8\] span 8/],
    ['an absurd shape', () => safetensorsFile({ w: { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 8] } }, new Uint8Array(8)), /tensor "w": shape \[1000000000, 1000000000\] spans more than 2147483647 elements/],
    ['zero elements with huge dims (a 97-byte file)', () => safetensorsFile({ 'conv1.weight': { dtype: 'F32', shape: [1e9, 1e9, 0, 3], data_offsets: [0, 0] } }, new Uint8Array()), /tensor "conv1\.weight": shape \[1000000000, 1000000000, 0, 3\] spans more than 2147483647 elements \(zero dimensions counted as 1\)/],
    ['more than 64 dimensions', () => safetensorsFile({ w: { dtype: 'F32', shape: new Array<number>(65).fill(1), data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor "w": shape has 65 dimensions, more than the 64 allowed/],
    ['a string __metadata__', () => safetensorsFile({ __metadata__: 'format=pt' }, new Uint8Array()), /__metadata__ is a string, not an object of strings/],
    ['an array __metadata__', () => safetensorsFile({ __metadata__: ['format', 'pt'] }, new Uint8Array()), /__metadata__ is an array, not an object of strings/],
    ['a __metadata__ value that is not a string', () => safetensorsFile({ __metadata__: { format: 1 } }, new Uint8Array()), /__metadata__\.format is not a string/],
    ['offsets past the end (truncated)', () => safetensorsFile({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)), /need 16 bytes of data but the file has 8: truncated/],
    ['overlapping tensors', () => safetensorsFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)), /tensor "b" starts at byte 4 .* \(overlap\)/],
    ['a gap between tensors', () => safetensorsFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /starts at byte 4 .* ends at 0 \(gap\)/],
    ['an int64 beyond int32', () => safetensorsFile({ n: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(BigInt64Array.from([1n << 40n]).buffer)), /tensor "n": int64 value 1099511627776 does not fit in int32/],
  ];
  it.each(bad)('rejects %s with a WeightsFormatError naming the file', (_, make, message) => {
    const call = () => readSafetensors(make(), 'bad.safetensors');
    expect(call).toThrow(WeightsFormatError);
    expect(call).toThrow(/^bad\.safetensors: /);
    expect(call).toThrow(message);
  });
});
