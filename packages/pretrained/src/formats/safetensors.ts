import { WeightsFormatError } from '../errors.js';
import { decodeElements } from './decode_elements.js';
import { shapeProblem } from './limits.js';
import { DTYPE_BYTES, type CheckpointDType, type TensorMap } from './tensor_record.js';

const SAFETENSORS_DTYPES: Record<string, CheckpointDType> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F64: 'float64',
  I64: 'int64',
  I32: 'int32',
  U8: 'uint8',
  BOOL: 'bool',
};

/** Headers larger than this are refused before parsing (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;

/** A parsed safetensors file: tensors and the free-form `__metadata__` strings. */
export interface SafetensorsFile {
  tensors: TensorMap;
  metadata: Record<string, string>;
}

interface Entry {
  name: string;
  dtype: CheckpointDType;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(source: string, name: string, raw: unknown): Entry {
  const fail = (problem: string) => new WeightsFormatError(source, `tensor "${name}": ${problem}`);
  if (typeof raw !== 'object' || raw === null) throw fail('header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  const dt = typeof dtype === 'string' ? SAFETENSORS_DTYPES[dtype] : undefined;
  if (dt === undefined) throw fail(`unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(SAFETENSORS_DTYPES).join(', ')})`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw fail(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
    throw fail(`data_offsets ${JSON.stringify(offsets)} are not two non-negative integers`);
  }
  const tooLarge = shapeProblem(shape as number[]);
  if (tooLarge !== undefined) throw fail(tooLarge);
  const [begin, end] = offsets as [number, number];
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count * DTYPE_BYTES[dt]) || end - begin !== count * DTYPE_BYTES[dt]) {
    throw fail(`shape [${(shape as number[]).join(', ')}] × ${String(dtype)} needs ${count * DTYPE_BYTES[dt]} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { name, dtype: dt, shape: shape as number[], begin, end };
}

/**
 * Reads a safetensors file (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length, a JSON header, then the tensor bytes. Every size and offset is checked against
 * the file before anything is allocated: a truncated file, a header that lies (offsets past the
 * end, overlapping or gapped tensors, sizes that disagree with the shape) or an unsupported dtype
 * gets a {@link WeightsFormatError} naming `source` and the tensor. So does a shape beyond the
 * readers' limits (more than 64 dimensions, or more than 2^31 − 1 elements counting zero-sized
 * dimensions as 1), and an `__metadata__` that is not an object of strings.
 *
 * float32 tensors are views into `bytes` (no copy) where alignment allows.
 */
export function readSafetensors(bytes: Uint8Array, source = 'safetensors'): SafetensorsFile {
  if (bytes.byteLength < 8) throw new WeightsFormatError(source, `file is ${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.byteLength - 8))) {
    throw new WeightsFormatError(source, `header length ${headerLength} exceeds the file (${bytes.byteLength} bytes) or the ${MAX_HEADER_BYTES}-byte limit; the file is truncated or not safetensors`);
  }
  const n = Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    throw new WeightsFormatError(source, `header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new WeightsFormatError(source, 'header is not a JSON object');
  }
  const dataStart = 8 + n;
  const dataLength = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      // The format defines it as an optional map of strings (null, as the reference reader
      // accepts, means none); anything else is a malformed header.
      if (raw === null) continue;
      if (typeof raw !== 'object' || Array.isArray(raw)) {
        throw new WeightsFormatError(source, `__metadata__ is ${Array.isArray(raw) ? 'an array' : `a ${typeof raw}`}, not an object of strings`);
      }
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new WeightsFormatError(source, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(source, name, raw));
  }
  // The data must be covered exactly once: sorted by offset, each tensor starts where the
  // previous ended, and the last ends at the end of the file.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin !== cursor) {
      throw new WeightsFormatError(source, `tensor "${e.name}" starts at byte ${e.begin} of the data but the previous tensor ends at ${cursor} (${e.begin < cursor ? 'overlap' : 'gap'})`);
    }
    cursor = e.end;
  }
  if (cursor !== dataLength) {
    throw new WeightsFormatError(source, cursor > dataLength ? `tensors need ${cursor} bytes of data but the file has ${dataLength}: truncated` : `${dataLength - cursor} bytes after the last tensor`);
  }
  const tensors: TensorMap = new Map();
  for (const e of entries) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    try {
      tensors.set(e.name, { dtype: e.dtype, shape: e.shape, values: decodeElements(bytes, dataStart + e.begin, count, e.dtype) });
    } catch (err) {
      throw new WeightsFormatError(source, `tensor "${e.name}": ${(err as Error).message}`);
    }
  }
  return { tensors, metadata };
}
