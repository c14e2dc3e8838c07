/**
 * A cheap structural check of weights bytes that come without a digest: is this a whole
 * safetensors file or a whole zip archive (what `torch.save` writes)? It reads the safetensors
 * header, or the zip's end records, not the tensors — enough to reject an HTML page served with
 * status 200, or a body cut short, which would otherwise be cached and pinned as the weights.
 */

/** Reads up to `length` bytes at `offset` (fewer only at the end of the file). */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/** What a complete weights file is, in `IntegrityError.expected` for `check: 'structure'`. */
export const EXPECTED_STRUCTURE = 'a complete safetensors file or zip archive (PyTorch checkpoint)';

// The safetensors format caps its JSON header at 100 MB.
const MAX_SAFETENSORS_HEADER = 100_000_000;
const EOCD_LENGTH = 22;
const MAX_ZIP_COMMENT = 0xffff;
const ZIP64_LOCATOR_LENGTH = 20;
const ZIP64_EOCD_LENGTH = 56;

const u32 = (bytes: Uint8Array, at: number): number => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);
const u64 = (bytes: Uint8Array, at: number): number => Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(at, true));
const isZip = (head: Uint8Array): boolean => head.byteLength >= 4 && u32(head, 0) === 0x04034b50;

/** The first bytes, quoted as text when they are printable (an HTML page shows itself), else in hex. */
function describeStart(head: Uint8Array, size: number): string {
  const start = head.subarray(0, 32);
  const printable = start.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f));
  if (printable) {
    const text = new TextDecoder().decode(start).replace(/\s+/g, ' ');
    const html = /^\s*</.test(text) ? 'an HTML/XML page' : 'text';
    return `${html} starting "${text}${size > start.byteLength ? '…' : ''}"`;
  }
  return `bytes starting ${Array.from(start, (b) => b.toString(16).padStart(2, '0')).join(' ')}`;
}

async function safetensorsProblem(size: number, head: Uint8Array, read: ReadAt): Promise<string | undefined> {
  const headerLength = u64(head, 0);
  if (headerLength > MAX_SAFETENSORS_HEADER || 8 + headerLength > size) {
    return `a safetensors header of ${headerLength} bytes in a ${size}-byte file (truncated or not safetensors)`;
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await read(8, headerLength)));
  } catch {
    return `a safetensors header that is not valid JSON in a ${size}-byte file`;
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return 'a safetensors header that is not a JSON object';
  let dataEnd = 0;
  for (const [name, tensor] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const offsets = (tensor as { data_offsets?: unknown } | null)?.data_offsets;
    const valid = Array.isArray(offsets) && offsets.length === 2 && offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0) && (offsets[0] as number) <= (offsets[1] as number);
    if (!valid) return `a safetensors header whose tensor "${name}" has no valid data_offsets`;
    dataEnd = Math.max(dataEnd, offsets[1] as number);
  }
  // The format leaves no byte of the data buffer unindexed, so the header tells the exact size.
  const announced = 8 + headerLength + dataEnd;
  return announced === size ? undefined : `a safetensors file of ${size} bytes whose header announces ${announced} bytes (truncated or padded)`;
}

async function zipProblem(size: number, read: ReadAt): Promise<string | undefined> {
  const tailStart = Math.max(0, size - EOCD_LENGTH - MAX_ZIP_COMMENT);
  const tail = await read(tailStart, size - tailStart);
  // The end-of-central-directory record is the last thing in the file, followed only by its comment.
  let eocd = -1;
  for (let at = tail.byteLength - EOCD_LENGTH; at >= 0; at -= 1) {
    if (u32(tail, at) === 0x06054b50 && at + EOCD_LENGTH + (tail[at + 20]! | (tail[at + 21]! << 8)) === tail.byteLength) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) return `a zip archive of ${size} bytes without its end record (truncated)`;
  const eocdAt = tailStart + eocd;
  let directoryEnd = u32(tail, eocd + 16) + u32(tail, eocd + 12);
  let expectedEnd = eocdAt;
  const locatorAt = eocd - ZIP64_LOCATOR_LENGTH;
  if (locatorAt >= 0 && u32(tail, locatorAt) === 0x07064b50) {
    // zip64: the central directory ends where the zip64 end record starts.
    const recordAt = u64(tail, locatorAt + 8);
    const record = recordAt + ZIP64_EOCD_LENGTH <= eocdAt ? await read(recordAt, ZIP64_EOCD_LENGTH) : new Uint8Array(0);
    if (record.byteLength < ZIP64_EOCD_LENGTH || u32(record, 0) !== 0x06064b50) return `a zip64 archive of ${size} bytes whose zip64 end record is missing`;
    directoryEnd = u64(record, 48) + u64(record, 40);
    expectedEnd = recordAt;
  }
  if (directoryEnd !== expectedEnd) return `a zip archive of ${size} bytes whose central directory ends at byte ${directoryEnd}, not ${expectedEnd}`;
  return undefined;
}

/**
 * Why `size` bytes read through `read` are not a complete safetensors file or zip archive, or
 * undefined when they are. Reads the first 8 bytes and the header (safetensors) or the last
 * 64 KiB at most (zip).
 */
export async function structureProblem(size: number, read: ReadAt): Promise<string | undefined> {
  const head = await read(0, Math.min(size, 32));
  if (isZip(head)) return zipProblem(size, read);
  if (size > 8 && head[8] === 0x7b) return safetensorsProblem(size, head, read);
  return size === 0 ? 'an empty file' : `${describeStart(head, size)} (${size} bytes)`;
}

/** {@link structureProblem} of bytes in memory. */
export function bytesStructureProblem(bytes: Uint8Array): Promise<string | undefined> {
  return structureProblem(bytes.byteLength, (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)));
}
