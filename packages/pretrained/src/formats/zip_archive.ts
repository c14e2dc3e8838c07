import { WeightsFormatError } from '../errors.js';

/** One stored file of a zip archive: where its bytes are, without copying them. */
export interface ZipEntry {
  name: string;
  /** The entry's bytes (a view into the archive). */
  data: Uint8Array;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

/**
 * Lists the entries of a zip archive as PyTorch's `torch.save` writes it: every entry stored
 * (method 0, no compression), zip64 records where sizes need them. Entries are views into
 * `bytes`; every offset and size is checked against the archive. Anything else (compressed
 * entries, encryption, multi-disk archives) gets a {@link WeightsFormatError}.
 */
export function readZipEntries(bytes: Uint8Array, source: string): Map<string, ZipEntry> {
  const fail = (problem: string) => new WeightsFormatError(source, problem);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => {
    const v = view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw fail(`zip field at byte ${at} is out of range`);
    return Number(v);
  };
  const inside = (at: number, length: number, what: string) => {
    if (at < 0 || length < 0 || at + length > bytes.byteLength) {
      throw fail(`${what} (bytes ${at}..${at + length}) lies outside the ${bytes.byteLength}-byte file: truncated or corrupt`);
    }
  };

  // End of central directory: the last 22 bytes, unless a comment (≤ 65535 bytes) follows it.
  let eocd = -1;
  for (let at = bytes.byteLength - 22; at >= Math.max(0, bytes.byteLength - 22 - 65535); at--) {
    if (u32(at) === EOCD_SIGNATURE) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw fail('not a zip archive (no end-of-central-directory record); a PyTorch checkpoint saved with torch.save is a zip');
  let count = u16(eocd + 10);
  let dirSize = u32(eocd + 12);
  let dirOffset = u32(eocd + 16);
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0) throw fail('multi-disk zip archives are not supported');
  if (count === 0xffff || dirOffset === 0xffffffff || dirSize === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || u32(locator) !== ZIP64_LOCATOR_SIGNATURE) throw fail('zip64 archive without a zip64 locator');
    const record = u64(locator + 8);
    inside(record, 56, 'zip64 end-of-central-directory record');
    if (u32(record) !== ZIP64_EOCD_SIGNATURE) throw fail('zip64 end-of-central-directory record not found where the locator points');
    count = u64(record + 32);
    dirSize = u64(record + 40);
    dirOffset = u64(record + 48);
  }
  inside(dirOffset, dirSize, 'central directory');

  const entries = new Map<string, ZipEntry>();
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    inside(at, 46, `central directory entry ${i}`);
    if (u32(at) !== CENTRAL_SIGNATURE) throw fail(`central directory entry ${i} has a bad signature`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    let size = u32(at + 20);
    const storedSize = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let localOffset = u32(at + 42);
    inside(at + 46, nameLength + extraLength + commentLength, `central directory entry ${i} name`);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (flags & 1) throw fail(`zip entry "${name}" is encrypted`);
    if (method !== 0) throw fail(`zip entry "${name}" is compressed (method ${method}); torch.save stores entries uncompressed`);
    // zip64 extended information: 64-bit sizes/offset replace the 0xffffffff placeholders, in order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = u16(extra);
      const length = u16(extra + 2);
      if (id === 0x0001) {
        let field = extra + 4;
        if (storedSize === 0xffffffff || size === 0xffffffff) {
          size = u64(field);
          field += 16;
        }
        if (localOffset === 0xffffffff) localOffset = u64(field);
      }
      extra += 4 + length;
    }
    if (storedSize !== size && storedSize !== 0xffffffff) throw fail(`zip entry "${name}": stored and uncompressed sizes differ`);
    inside(localOffset, 30, `local header of "${name}"`);
    if (u32(localOffset) !== LOCAL_SIGNATURE) throw fail(`local header of "${name}" has a bad signature`);
    const dataStart = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    inside(dataStart, size, `data of "${name}"`);
    if (entries.has(name)) throw fail(`zip entry "${name}" appears twice`);
    entries.set(name, { name, data: bytes.subarray(dataStart, dataStart + size) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
