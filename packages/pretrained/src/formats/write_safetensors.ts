import type { TensorMap } from './tensor_record.js';

/**
 * Serializes named tensors as safetensors (float32 → F32, int64 → I64; other dtypes are written as
 * F32). The header is padded to 8 bytes so every tensor starts aligned; tensors follow in map order.
 */
export function writeSafetensors(tensors: TensorMap, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  const parts: { at: number; bytes: Uint8Array }[] = [];
  for (const [name, t] of tensors) {
    const int64 = t.dtype === 'int64';
    const bytes = int64
      ? new Uint8Array(BigInt64Array.from(t.values, (v) => BigInt(v)).buffer)
      : new Uint8Array(Float32Array.from(t.values).buffer);
    header[name] = { dtype: int64 ? 'I64' : 'F32', shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    parts.push({ at: offset, bytes });
    offset += bytes.byteLength;
  }
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let text = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (text.length % 8)) % 8;
  if (pad) text = Uint8Array.from([...text, ...new Array<number>(pad).fill(0x20)]);
  const out = new Uint8Array(8 + text.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  for (const p of parts) out.set(p.bytes, 8 + text.length + p.at);
  return out;
}
