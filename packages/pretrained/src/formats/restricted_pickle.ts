/**
 * A restricted unpickler: it understands the pickle opcodes that `torch.save(state_dict)` emits
 * (protocols 2–5) and builds plain values. It never imports or calls anything: GLOBAL names are
 * resolved against a caller-supplied allowlist, and everything else is refused with an error.
 * Each opcode consumes input, so a run ends within the input's length; the stack and memo are
 * bounded by that too.
 */

/** A Python tuple (kept apart from lists, which are JS arrays). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A value produced by an allowlisted callable (tensor references and the like). */
export interface PyOpaque {
  readonly opaque: unknown;
}

export type PyValue = null | boolean | number | bigint | string | PyValue[] | PyTuple | Map<PyValue, PyValue> | PyOpaque;

/** What GLOBAL may resolve to: a callable (applied by REDUCE) or a constant marker. */
export type PyGlobal = { call: (args: PyValue[]) => PyValue } | { value: PyValue };

/** Hooks that give the restricted unpickler its only powers. */
export interface UnpickleHooks {
  /** `module name` → what it stands for; a name not here is refused. */
  globals: ReadonlyMap<string, PyGlobal>;
  /** Resolves a persistent id (PyTorch's storages). */
  persistentLoad: (pid: PyValue) => PyValue;
}

/** Thrown for any pickle the restricted unpickler will not or cannot read. */
export class UnpickleError extends Error {
  override name = 'UnpickleError';
}

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK | PyGlobal;

/** Runs the pickle program in `bytes` and returns the value it STOPs with. */
export function restrictedUnpickle(bytes: Uint8Array, hooks: UnpickleHooks): PyValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8', { fatal: true });
  const stack: StackItem[] = [];
  const memo = new Map<number, StackItem>();
  let pos = 0;

  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.byteLength) throw new UnpickleError(`pickle truncated at byte ${pos} (needs ${n} more)`);
  };
  const u8 = () => (need(1), bytes[pos++]!);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const str = (n: number) => (need(n), (pos += n), text.decode(bytes.subarray(pos - n, pos)));
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new UnpickleError(`pickle truncated in a text line at byte ${pos}`);
    const s = new TextDecoder().decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): StackItem => {
    if (stack.length === 0) throw new UnpickleError(`pickle stack underflow at byte ${pos}`);
    return stack.pop()!;
  };
  const popValue = (): PyValue => {
    const v = pop();
    if (v === MARK || isGlobal(v)) throw new UnpickleError(`unexpected ${v === MARK ? 'mark' : 'global'} on the pickle stack at byte ${pos}`);
    return v;
  };
  const popMark = (): PyValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) throw new UnpickleError(`pickle has no mark at byte ${pos}`);
    const items = stack.splice(at + 1);
    stack.pop();
    if (items.some((v) => v === MARK || isGlobal(v))) throw new UnpickleError(`unexpected item between marks at byte ${pos}`);
    return items as PyValue[];
  };
  const top = (): StackItem => {
    if (stack.length === 0) throw new UnpickleError(`pickle stack underflow at byte ${pos}`);
    return stack[stack.length - 1]!;
  };
  const setItems = (target: StackItem, items: PyValue[]) => {
    if (!(target instanceof Map)) throw new UnpickleError(`SETITEM(S) on a non-dict at byte ${pos}`);
    if (items.length % 2) throw new UnpickleError(`SETITEMS with an odd item count at byte ${pos}`);
    for (let i = 0; i < items.length; i += 2) target.set(items[i]!, items[i + 1]!);
  };
  const append = (target: StackItem, items: PyValue[]) => {
    if (!Array.isArray(target)) throw new UnpickleError(`APPEND(S) on a non-list at byte ${pos}`);
    target.push(...items);
  };
  const lookupGlobal = (module: string, name: string): PyGlobal => {
    const g = hooks.globals.get(`${module} ${name}`);
    if (g === undefined) {
      throw new UnpickleError(`refuses the global ${module}.${name}: only state dicts of tensors (torch.save(model.state_dict())) are read, and nothing is ever executed`);
    }
    return g;
  };

  // Constants (storage types) go on the stack as values; callables stay callables for REDUCE.
  const pushGlobal = (g: PyGlobal) => stack.push('value' in g ? g.value : g);

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw new UnpickleError('pickle protocol above 5');
        break;
      case 0x95: // FRAME (length is advisory)
        need(8);
        pos += 8;
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) throw new UnpickleError(`pickle stopped with ${stack.length} items on the stack`);
        return popValue();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([popValue()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = popValue();
        stack.push(new PyTuple([popValue(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = popValue();
        const b = popValue();
        stack.push(new PyTuple([popValue(), b, c]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const d = new Map<PyValue, PyValue>();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = popValue();
        const k = popValue();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = popValue();
        append(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement of n bytes
        const n = u8();
        if (n > 8) throw new UnpickleError(`LONG1 of ${n} bytes is beyond any tensor size`);
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[pos + i]!);
        if (n > 0 && bytes[pos + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(str(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(u8()));
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        pushGlobal(lookupGlobal(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = popValue();
        const module = popValue();
        if (typeof module !== 'string' || typeof name !== 'string') throw new UnpickleError('STACK_GLOBAL needs two strings');
        pushGlobal(lookupGlobal(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = popValue();
        const fn = pop();
        if (!isGlobal(fn) || !('call' in fn)) throw new UnpickleError(`REDUCE on something that is not an allowed callable at byte ${pos}`);
        if (!(args instanceof PyTuple)) throw new UnpickleError(`REDUCE arguments are not a tuple at byte ${pos}`);
        stack.push(fn.call(args.items));
        break;
      }
      case 0x62: {
        // BUILD: only the OrderedDict `_metadata` state PyTorch attaches, which we ignore
        const state = popValue();
        if (!(top() instanceof Map) || !(state instanceof Map || state === null)) throw new UnpickleError(`BUILD on an unsupported object at byte ${pos}`);
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(popValue()));
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) throw new UnpickleError(`pickle memo has no entry ${key}`);
        stack.push(memo.get(key)!);
        break;
      }
      default:
        throw new UnpickleError(`unsupported pickle opcode 0x${op.toString(16)} at byte ${pos - 1}`);
    }
  }
}

function isGlobal(v: StackItem): v is PyGlobal {
  return typeof v === 'object' && v !== null && !(v instanceof Map) && !(v instanceof PyTuple) && !Array.isArray(v) && ('call' in v || 'value' in v);
}
