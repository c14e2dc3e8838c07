/**
 * Structural mutations for fuzzing the weight readers: instead of random bytes, the numbers a
 * reader trusts — safetensors shapes, dtypes, data_offsets and `__metadata__`; the .pth pickle's
 * integers (sizes, strides, storage offsets and sizes) and storage keys — are replaced with
 * boundary values, and the file is reassembled so it still parses up to the check under test.
 */
import { readZipEntries } from '../formats/zip_archive.js';
import { safetensorsFile } from '../testing/checkpoint_builders.js';

/** Numbers at the edges of what a reader must handle: zero, one, int32/uint32/safe-integer limits, negatives. */
const BOUNDARY_NUMBERS = [0, 1, 2, 3, 7, -1, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 40, 1e9, 2 ** 53 - 1, 2 ** 53, 1.5, 1e300];
const DTYPES = ['F32', 'F16', 'BF16', 'F64', 'I64', 'I32', 'U8', 'BOOL', 'C64', '', 'f32'];

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!;
const someNumber = (random: () => number, near: number) =>
  random() < 0.7 ? pick(BOUNDARY_NUMBERS, random) : Math.max(0, near + Math.floor((random() - 0.5) * 16));

/** One mutant of a valid safetensors file: a shape, dim, dtype, offset or `__metadata__` changed. */
export function mutateSafetensorsHeader(input: Uint8Array, random: () => number): Uint8Array {
  const n = Number(new DataView(input.buffer, input.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(input.subarray(8, 8 + n))) as Record<string, Record<string, unknown>>;
  const data = input.subarray(8 + n);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const entry = header[pick(names, random)]!;
  const shape = entry['shape'] as number[];
  const offsets = entry['data_offsets'] as [number, number];
  switch (Math.floor(random() * 7)) {
    case 0: // one dimension
      if (shape.length > 0) shape[Math.floor(random() * shape.length)] = someNumber(random, shape[0]!);
      else shape.push(someNumber(random, 1));
      break;
    case 1: // a zero dimension next to huge ones: no bytes, absurd extent
      entry['shape'] = [pick(BOUNDARY_NUMBERS, random), pick(BOUNDARY_NUMBERS, random), 0, ...shape.slice(3)];
      entry['data_offsets'] = [offsets[0], offsets[0]];
      break;
    case 2: // rank
      entry['shape'] = random() < 0.5 ? shape.slice(1) : [...shape, ...new Array<number>(1 + Math.floor(random() * 80)).fill(1)];
      break;
    case 3: // an offset
      offsets[random() < 0.5 ? 0 : 1] = someNumber(random, offsets[1]);
      break;
    case 4: // both offsets shifted together (the span stays right, the position is wrong)
      {
        const shift = someNumber(random, 8);
        entry['data_offsets'] = [offsets[0] + shift, offsets[1] + shift];
      }
      break;
    case 5:
      entry['dtype'] = pick(DTYPES, random);
      break;
    default:
      header['__metadata__'] = pick([{ k: 'v' }, { k: 1 }, 'text', ['a'], 7, null, { k: null }], random) as Record<string, unknown>;
  }
  return safetensorsFile(header, data);
}

interface PickleNumberSite {
  /** Offset of the number's bytes in the file. */
  at: number;
  /** Width in bytes (1, 2 or 4; LONG1's payload width). */
  width: number;
  signed: boolean;
}

/** Where the integers and short strings of a pickle are, walking the opcodes torch.save uses. */
function pickleSites(pickle: Uint8Array, base: number): { numbers: PickleNumberSite[]; keys: number[] } {
  const numbers: PickleNumberSite[] = [];
  const keys: number[] = [];
  const view = new DataView(pickle.buffer, pickle.byteOffset, pickle.byteLength);
  let pos = 0;
  while (pos < pickle.length) {
    const op = pickle[pos++]!;
    switch (op) {
      case 0x80: case 0x71: case 0x68: pos += 1; break; // PROTO, BINPUT, BINGET
      case 0x72: case 0x6a: pos += 4; break; // LONG_BINPUT, LONG_BINGET
      case 0x95: case 0x47: pos += 8; break; // FRAME, BINFLOAT
      case 0x4b: numbers.push({ at: base + pos, width: 1, signed: false }); pos += 1; break; // BININT1
      case 0x4d: numbers.push({ at: base + pos, width: 2, signed: false }); pos += 2; break; // BININT2
      case 0x4a: numbers.push({ at: base + pos, width: 4, signed: true }); pos += 4; break; // BININT
      case 0x8a: { // LONG1
        const n = pickle[pos]!;
        if (n === 1 || n === 2 || n === 4) numbers.push({ at: base + pos + 1, width: n, signed: true });
        pos += 1 + n;
        break;
      }
      case 0x58: { // BINUNICODE: storage keys are short digit strings
        const n = view.getUint32(pos, true);
        if (n <= 4 && /^\d+$/.test(new TextDecoder().decode(pickle.subarray(pos + 4, pos + 4 + n)))) keys.push(base + pos + 4);
        pos += 4 + n;
        break;
      }
      case 0x8c: pos += 1 + pickle[pos]!; break; // SHORT_BINUNICODE
      case 0x63: { // GLOBAL: two text lines
        for (let lines = 0; lines < 2 && pos < pickle.length; pos++) if (pickle[pos] === 0x0a) lines++;
        break;
      }
      case 0x2e: return { numbers, keys }; // STOP
      default: break; // argument-free opcodes
    }
  }
  return { numbers, keys };
}

/**
 * One mutant of a valid torch.save zip: a size, stride, storage offset or declared storage size
 * in data.pkl replaced by a boundary value of the same width, or a storage key re-pointed to
 * another storage (the same one several times, or one that does not exist). The zip's structure
 * is untouched (entries are stored, lengths unchanged), so the mutant reaches the pickle checks.
 */
export function mutatePthPickle(input: Uint8Array, random: () => number): Uint8Array {
  const out = Uint8Array.from(input);
  const entry = [...readZipEntries(out, 'fuzz.pth').values()].find((e) => e.name.endsWith('/data.pkl'));
  if (entry === undefined) return out;
  const { numbers, keys } = pickleSites(entry.data, entry.data.byteOffset - out.byteOffset);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const changes = 1 + Math.floor(random() * 3);
  for (let c = 0; c < changes; c++) {
    if (keys.length > 0 && random() < 0.3) {
      out[pick(keys, random)] = 0x30 + Math.floor(random() * 10);
      continue;
    }
    if (numbers.length === 0) break;
    const site = pick(numbers, random);
    const value = pick(BOUNDARY_NUMBERS, random);
    if (site.width === 1) out[site.at] = value & 0xff;
    else if (site.width === 2) view.setUint16(site.at, value & 0xffff, true);
    else view.setInt32(site.at, Number.isSafeInteger(value) ? value | 0 : -1, true);
  }
  return out;
}
