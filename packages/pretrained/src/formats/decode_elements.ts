import { DTYPE_BYTES, type CheckpointDType } from './tensor_record.js';

/** IEEE 754 half → float32. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes `count` little-endian elements of `dtype` starting at `offset` of `bytes`. float32 is
 * returned as a view without copying when the offset is 4-byte aligned (zero-copy), else copied.
 * Throws a plain Error for an int64 outside the int32 range; callers wrap it with the file name.
 */
export function decodeElements(bytes: Uint8Array, offset: number, count: number, dtype: CheckpointDType): Float32Array | Int32Array {
  const at = bytes.byteOffset + offset;
  const view = new DataView(bytes.buffer, at, count * DTYPE_BYTES[dtype]);
  switch (dtype) {
    case 'float32':
      if (at % 4 === 0) return new Float32Array(bytes.buffer, at, count);
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
    case 'float64':
      return Float32Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true));
    case 'float16':
      return Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(i * 2, true)));
    case 'bfloat16': {
      // bfloat16 is the top half of a float32.
      const out = new Uint32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, true) << 16;
      return new Float32Array(out.buffer);
    }
    case 'int64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) throw new RangeError(`int64 value ${v} does not fit in int32`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'int32':
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true));
    case 'uint8':
    case 'bool':
      return Int32Array.from({ length: count }, (_, i) => view.getUint8(i));
  }
}

