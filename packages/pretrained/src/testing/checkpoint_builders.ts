/**
 * Builders of checkpoint files with any header or pickle, honest or hostile, for tests and
 * fuzzers: a safetensors file from a header object, and a torch.save-style zip whose state-dict
 * pickle states whatever storages, sizes, strides and offsets it is given.
 */

/**
 * A safetensors file: 8-byte header length, the JSON header (space-padded to 8 bytes unless `pad`
 * is false, which the format allows), the data. `header` is serialized as is, hostile or not.
 */
export function safetensorsFile(header: unknown, data: Uint8Array = new Uint8Array(), pad = true): Uint8Array {
  let text = new TextEncoder().encode(JSON.stringify(header));
  if (pad && text.length % 8) text = Uint8Array.from([...text, ...new Array<number>(8 - (text.length % 8)).fill(0x20)]);
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

/** A zip of stored (uncompressed) entries; CRCs are 0, which the reader does not check (as torch does not). */
export function storedZip(files: Record<string, Uint8Array>): Uint8Array {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const n = enc.encode(name);
    const local = new Uint8Array(30 + n.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, n.length, true);
    local.set(n, 30);
    const c = new Uint8Array(46 + n.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, n.length, true);
    cv.setUint32(42, offset, true);
    c.set(n, 46);
    chunks.push(local, data);
    central.push(c);
    offset += local.length + data.length;
  }
  const dirSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, central.length, true);
  ev.setUint16(10, central.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + dirSize + 22);
  let at = 0;
  for (const c of [...chunks, ...central, end]) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** One state-dict entry: a view (`offset`, `size`, `stride`) of the storage `storage`. */
export interface PickledTensor {
  key: string;
  /** Storage key (its zip entry is `archive/data/<storage>`). */
  storage: string;
  /** Storage type, e.g. `FloatStorage`, `HalfStorage`. */
  type: string;
  /** Elements the storage is declared to hold. */
  numel: number;
  offset: number;
  size: number[];
  stride: number[];
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Pickle opcodes for a number: BININT for int32, LONG1 with 8 bytes for other integers, else BINFLOAT. */
function pickleInt(v: number): number[] {
  if (!Number.isInteger(v)) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, false);
    return [0x47, ...b];
  }
  if (Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    return [0x4a, ...b];
  }
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(v), true);
  return [0x8a, 8, ...b];
}

function pickleString(s: string): number[] {
  const b = utf8(s);
  return [0x58, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, b.length >>> 24, ...b];
}

const pickleGlobal = (module: string, name: string) => [0x63, ...utf8(`${module}\n${name}\n`)];
const pickleTuple = (xs: number[]) => [0x28, ...xs.flatMap(pickleInt), 0x74];

/** The `data.pkl` torch.save writes for a state dict of `tensors` (protocol 2). */
function stateDictPickle(tensors: readonly PickledTensor[]): Uint8Array {
  const out: number[] = [0x80, 2, ...pickleGlobal('collections', 'OrderedDict'), 0x29, 0x52, 0x28];
  for (const t of tensors) {
    out.push(...pickleString(t.key), ...pickleGlobal('torch._utils', '_rebuild_tensor_v2'), 0x28);
    out.push(0x28, ...pickleString('storage'), ...pickleGlobal('torch', t.type), ...pickleString(t.storage), ...pickleString('cpu'), ...pickleInt(t.numel), 0x74, 0x51);
    out.push(...pickleInt(t.offset), ...pickleTuple(t.size), ...pickleTuple(t.stride), 0x89, ...pickleGlobal('collections', 'OrderedDict'), 0x29, 0x52, 0x74, 0x52);
  }
  out.push(0x75, 0x2e);
  return Uint8Array.from(out);
}

/** A torch.save-style .pth (archive `a/`): the state-dict pickle and each storage's bytes. */
export function pthFile(tensors: readonly PickledTensor[], storages: Record<string, Uint8Array>): Uint8Array {
  const files: Record<string, Uint8Array> = { 'a/data.pkl': stateDictPickle(tensors) };
  for (const [key, bytes] of Object.entries(storages)) files[`a/data/${key}`] = bytes;
  return storedZip(files);
}

/** Contiguous strides of `size`. */
export function contiguousStride(size: readonly number[]): number[] {
  const stride = new Array<number>(size.length).fill(1);
  for (let i = size.length - 2; i >= 0; i--) stride[i] = stride[i + 1]! * Math.max(size[i + 1]!, 1);
  return stride;
}
