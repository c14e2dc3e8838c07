import { WeightsFormatError } from '../errors.js';
import { decodeElements } from './decode_elements.js';
import { MAX_RANK, OUTPUT_BYTES_PER_FILE_BYTE, OUTPUT_SLACK_BYTES, shapeProblem } from './limits.js';
import { PyTuple, UnpickleError, restrictedUnpickle, type PyGlobal, type PyOpaque, type PyValue } from './restricted_pickle.js';
import { DTYPE_BYTES, type CheckpointDType, type TensorMap, type TensorRecord } from './tensor_record.js';
import { readZipEntries } from './zip_archive.js';

const STORAGE_TYPES: Record<string, CheckpointDType> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

interface Storage {
  dtype: CheckpointDType;
  bytes: Uint8Array;
  /** Elements the storage holds. */
  numel: number;
  /** Whether decoding it has been charged to the read's output budget. */
  charged?: boolean;
  /** The decoded elements, made on first use and shared by every tensor viewing the storage. */
  decoded?: Float32Array | Int32Array;
}

/**
 * A read in progress: its output budget, and the tensors whose values are filled in once the whole
 * pickle has been read and every allocation it asks for has been charged.
 */
interface PendingRead {
  budget: OutputBudget;
  fills: (() => void)[];
}

const opaque = (v: unknown): PyOpaque => ({ opaque: v });
const unwrap = <T>(v: PyValue, is: (x: unknown) => x is T): T | undefined =>
  typeof v === 'object' && v !== null && 'opaque' in v && is(v.opaque) ? v.opaque : undefined;
const isDtype = (x: unknown): x is { storageType: CheckpointDType } => typeof x === 'object' && x !== null && 'storageType' in x;
const isStorage = (x: unknown): x is Storage => typeof x === 'object' && x !== null && 'bytes' in x && 'numel' in x;
const isTensor = (x: unknown): x is TensorRecord => typeof x === 'object' && x !== null && 'values' in x && 'shape' in x;
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

function intList(v: PyValue, what: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : undefined;
  if (items === undefined || !items.every(isCount)) throw new UnpickleError(`${what} is not a tuple of non-negative integers`);
  if (items.length > MAX_RANK) throw new UnpickleError(`${what} has ${items.length} dimensions, more than the ${MAX_RANK} allowed`);
  return items;
}

/**
 * Bytes of decoded and gathered values a read may still allocate. Checked before each
 * allocation, so a pickle that views one storage many times (each view would otherwise decode or
 * copy it again) fails fast instead of exhausting memory.
 */
class OutputBudget {
  constructor(private left: number) {}

  spend(bytes: number, what: string): void {
    if (bytes > this.left) {
      throw new UnpickleError(`${what} would need ${bytes} more bytes of decoded values, beyond the reader's budget (${OUTPUT_BYTES_PER_FILE_BYTE}× the file size + ${OUTPUT_SLACK_BYTES / 2 ** 20} MiB)`);
    }
    this.left -= bytes;
  }
}

/**
 * Charges the storage's decoding to `budget` the first time a tensor views it (a zero-copy float32
 * view costs nothing).
 */
function chargeDecoding(storage: Storage, budget: OutputBudget): void {
  if (storage.charged) return;
  storage.charged = true;
  const zeroCopy = storage.dtype === 'float32' && (storage.bytes.byteOffset & 3) === 0;
  if (!zeroCopy) budget.spend(storage.numel * 4, `decoding a ${storage.numel}-element ${storage.dtype} storage`);
}

/** The storage's decoded elements, decoded once and shared by every tensor viewing it. */
function decodedStorage(storage: Storage): Float32Array | Int32Array {
  storage.decoded ??= decodeElements(storage.bytes, 0, storage.numel, storage.dtype);
  return storage.decoded;
}

/**
 * The elements of a strided view, in row-major order of `shape`. The innermost dimension is copied
 * in a tight loop (or one `set` when its stride is 1) and only the outer ones step an odometer, so
 * a gather costs little more than the copy itself.
 */
function gather(all: Float32Array | Int32Array, offset: number, shape: number[], stride: number[], numel: number): Float32Array | Int32Array {
  const values = all instanceof Float32Array ? new Float32Array(numel) : new Int32Array(numel);
  const rank = shape.length;
  const inner = shape[rank - 1]!;
  const step = stride[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let at = offset;
  for (let out = 0; out < numel; out += inner) {
    if (step === 1) {
      values.set(all.subarray(at, at + inner), out);
    } else {
      for (let j = 0, from = at; j < inner; j++, from += step) values[out + j] = all[from]!;
    }
    for (let k = rank - 2; k >= 0; k--) {
      at += stride[k]!;
      if (++index[k]! < shape[k]!) break;
      at -= stride[k]! * shape[k]!;
      index[k] = 0;
    }
  }
  return values;
}

/**
 * Materializes `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)`: the elements
 * at offset + Σ index·stride, checked to lie inside the storage before anything is allocated.
 * Contiguous views share the storage's decoded elements; strided views are gathered into a copy.
 * Both are only charged to the read's budget here and filled after the whole pickle is read, so a
 * pickle asking for more than the budget allows is refused before any of it is allocated.
 */
function rebuildTensor(args: PyValue[], read: PendingRead): PyValue {
  const storage = unwrap(args[0] ?? null, isStorage);
  if (storage === undefined) throw new UnpickleError('_rebuild_tensor_v2 without a storage');
  const offset = args[1];
  if (!isCount(offset)) throw new UnpickleError('tensor storage offset is not a non-negative integer');
  const shape = intList(args[2] ?? null, 'tensor size');
  const stride = intList(args[3] ?? null, 'tensor stride');
  if (stride.length !== shape.length) throw new UnpickleError(`tensor size [${shape.join(', ')}] and stride [${stride.join(', ')}] differ in rank`);
  const tooLarge = shapeProblem(shape);
  if (tooLarge !== undefined) throw new UnpickleError(`tensor ${tooLarge}`);
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel === 0) {
    // No elements to read, so neither offset nor strides point anywhere.
    if (offset > storage.numel) throw new UnpickleError(`tensor offset ${offset} is past the end of a ${storage.numel}-element storage`);
    return opaque({ dtype: storage.dtype, shape, values: isFloat(storage.dtype) ? new Float32Array(0) : new Int32Array(0) } satisfies TensorRecord);
  }
  // Overflowing sums only grow, so a huge stride still lands past the storage's end.
  const last = offset + shape.reduce((s, d, i) => s + (d - 1) * stride[i]!, 0);
  if (last >= storage.numel) {
    throw new UnpickleError(`tensor of size [${shape.join(', ')}] at offset ${offset} reads element ${last} of a ${storage.numel}-element storage`);
  }
  if (numel > storage.numel) throw new UnpickleError(`tensor has ${numel} elements but its storage only ${storage.numel} (broadcast views are not supported)`);
  const contiguous = stride.every((s, i) => shape[i] === 1 || s === shape.slice(i + 1).reduce((a, b) => a * b, 1));
  chargeDecoding(storage, read.budget);
  if (!contiguous) read.budget.spend(numel * 4, `gathering a strided tensor of size [${shape.join(', ')}]`);
  const record: TensorRecord = { dtype: storage.dtype, shape, values: new Float32Array(0) };
  read.fills.push(() => {
    const all = decodedStorage(storage);
    record.values = contiguous ? all.subarray(offset, offset + numel) : gather(all, offset, shape, stride, numel);
  });
  return opaque(record);
}

const isFloat = (dtype: CheckpointDType) => dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';

/**
 * Reads a PyTorch checkpoint written by `torch.save(model.state_dict())` (the zip format of
 * PyTorch ≥ 1.6): a restricted unpickler rebuilds the state dict from `data.pkl`, and tensors
 * take their bytes from `data/<key>`. Only an OrderedDict of tensors is accepted; any other
 * global, opcode or structure is refused with a {@link WeightsFormatError} naming `source` — no
 * code from the file ever runs.
 *
 * Every size, shape, stride, offset and storage reference is checked against the archive and the
 * readers' limits before work or allocation proportional to it: shapes have at most 64 dimensions
 * and 2^31 − 1 elements (zero-sized dimensions counted as 1), each storage is decoded at most once
 * and shared by the tensors that view it contiguously, and decoded plus gathered values may take
 * at most 8× the file's size + 16 MiB.
 */
export function readPytorchCheckpoint(bytes: Uint8Array, source = 'checkpoint.pth'): TensorMap {
  const entries = readZipEntries(bytes, source);
  const pickle = [...entries.values()].find((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (pickle === undefined) throw new WeightsFormatError(source, 'zip archive has no <archive>/data.pkl: not a torch.save checkpoint');
  const prefix = pickle.name.slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder !== undefined && new TextDecoder().decode(byteorder.data) !== 'little') {
    throw new WeightsFormatError(source, 'big-endian checkpoints are not supported');
  }

  const storages = new Map<string, PyValue>();
  const read: PendingRead = { budget: new OutputBudget(OUTPUT_BYTES_PER_FILE_BYTE * bytes.byteLength + OUTPUT_SLACK_BYTES), fills: [] };
  const globals = new Map<string, PyGlobal>([
    ['collections OrderedDict', { call: () => new Map() }],
    ['torch._utils _rebuild_tensor_v2', { call: (args) => rebuildTensor(args, read) }],
    ['torch._utils _rebuild_parameter', { call: (args) => args[0] ?? null }],
    ...Object.entries(STORAGE_TYPES).map(([name, dtype]): [string, PyGlobal] => [`torch ${name}`, { value: opaque({ storageType: dtype }) }]),
  ]);
  const persistentLoad = (pid: PyValue): PyValue => {
    // ('storage', storage_type, key, location, numel)
    if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage' || pid.items.length !== 5) throw new UnpickleError('unsupported persistent id (expected a storage)');
    const [, type, key, , numel] = pid.items;
    const dtype = unwrap(type ?? null, isDtype)?.storageType;
    if (dtype === undefined) throw new UnpickleError('storage of an unsupported type');
    if (typeof key !== 'string' || !isCount(numel)) throw new UnpickleError('storage key or size malformed');
    const cached = storages.get(key);
    if (cached !== undefined) return cached;
    const entry = entries.get(`${prefix}data/${key}`);
    if (entry === undefined) throw new UnpickleError(`storage ${key} has no ${prefix}data/${key} entry`);
    if (entry.data.byteLength !== numel * DTYPE_BYTES[dtype]) {
      throw new UnpickleError(`storage ${key} should hold ${numel} ${dtype} (${numel * DTYPE_BYTES[dtype]} bytes) but its entry has ${entry.data.byteLength}`);
    }
    const storage = opaque({ dtype, bytes: entry.data, numel } satisfies Storage);
    storages.set(key, storage);
    return storage;
  };

  let root: PyValue;
  try {
    root = restrictedUnpickle(pickle.data, { globals, persistentLoad });
    for (const fill of read.fills) fill();
  } catch (err) {
    if (err instanceof UnpickleError || err instanceof RangeError || err instanceof TypeError) {
      throw new WeightsFormatError(source, `${pickle.name}: ${err.message}`);
    }
    throw err;
  }
  if (!(root instanceof Map)) throw new WeightsFormatError(source, 'checkpoint is not a state dict (a dict of tensors)');
  const tensors: TensorMap = new Map();
  for (const [name, value] of root) {
    const tensor = unwrap(value, isTensor);
    if (typeof name !== 'string' || tensor === undefined) {
      throw new WeightsFormatError(source, `state dict entry ${typeof name === "string" ? JSON.stringify(name) : "(non-string key)"} is not a tensor`);
    }
    tensors.set(name, tensor);
  }
  return tensors;
}
