/**
 * The two call shapes of `load` and `loadInWorker` — `(model, options?)` and `(options?)` — turned
 * into one options object. Checked at run time too: plain JavaScript callers get no compiler
 * error, and an argument of the wrong type would otherwise be dropped without a word.
 */

/** How a value is named in a TypeError: its type, not its contents (which may be large or private). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'an unknown class'}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * An options object: any object except those that are clearly something else — an array, a URL,
 * bytes or a Blob (a checkpoint or image passed in the wrong place). Class instances are allowed.
 */
function isOptionsObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (value instanceof URL || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return false;
  return typeof Blob === 'undefined' || !(value instanceof Blob);
}

/**
 * The options of a `fn(model, options?)` / `fn(options?)` call.
 *
 * @param fn - the function's name, for messages.
 * @param first - a model id, an options object, or undefined.
 * @param second - the options after a model id; must be absent after an options object.
 * @throws TypeError naming the argument that has the wrong type, or `model` given twice.
 */
export function resolveLoadArguments<O extends { model?: string }>(fn: string, first: unknown, second: unknown): O {
  if (typeof first === 'string') {
    if (second === undefined) return { model: first } as O;
    if (!isOptionsObject(second)) {
      throw new TypeError(`${fn}: the second argument (options) must be an options object, got ${describe(second)}`);
    }
    if (second['model'] !== undefined) {
      throw new TypeError(`${fn}: the model is given twice ("${first}" and options.model); pass it once`);
    }
    return { ...second, model: first } as O;
  }
  if (first === undefined || isOptionsObject(first)) {
    if (second !== undefined) {
      throw new TypeError(
        `${fn}: a second argument (options) is taken only after a model id, got ${describe(second)} after ${first === undefined ? 'undefined' : 'an options object'}`,
      );
    }
    return (first ?? {}) as O;
  }
  throw new TypeError(`${fn}: the first argument must be a model id (a string) or an options object, got ${describe(first)}`);
}
