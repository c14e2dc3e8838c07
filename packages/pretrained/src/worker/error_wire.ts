/**
 * Errors as plain data, so that an error thrown in the worker is rethrown on the page as the same
 * class with the same fields. The browser's own structured clone of an Error keeps only the
 * built-in classes and drops every field (`url`, `reason`, `attempts`, …), hence this format.
 */
import { BackendUnavailableError } from '@resnext/backends';
import { WeightsFormatError } from '../errors.js';
import { DownloadError, IntegrityError, OfflineError } from '../download/errors.js';
import { StateDictMismatchError } from '../mapping/load_state_dict.js';
import { ImageDecodeError } from '../preprocess/image_decode_error.js';
import { WeightsRegistryError } from '../registry/weights_registry.js';
import { WorkerError } from './worker_error.js';

/** A value of an error's field, made cloneable: errors inside (a `cause`, `attempts`) become {@link WireError}s. */
type WireValue = null | undefined | boolean | number | string | WireValue[] | { readonly error: WireError } | { readonly object: Record<string, WireValue> };

/** An error as plain data: what {@link toWireError} makes and {@link fromWireError} turns back into an error. */
export interface WireError {
  name: string;
  message: string;
  stack: string | undefined;
  /** Whether it was a `DOMException` (an `AbortError`, a `DataCloneError`, …). */
  domException: boolean;
  /** The error's own fields (`url`, `reason`, `result`, `cause`, …), except message and stack. */
  fields: Record<string, WireValue>;
}

type ErrorClass = abstract new (...args: never[]) => Error;

// Rebuilt by name. The built-in classes keep `instanceof TypeError` etc. working for callers that
// check argument errors; unknown names come back as an Error with the original name.
const CLASSES: Readonly<Record<string, ErrorClass>> = {
  ImageDecodeError,
  DownloadError,
  IntegrityError,
  OfflineError,
  WeightsFormatError,
  StateDictMismatchError,
  WeightsRegistryError,
  BackendUnavailableError,
  WorkerError,
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

// Deep enough for any error this package makes (a DownloadError's attempts and their causes).
const MAX_DEPTH = 8;

/** A value that cannot cross as data (a function, a Response, a tensor) by its kind: all that can cross of it. */
function describeValue(value: unknown): string {
  if (typeof value === 'bigint' || typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return `[object ${typeof name === 'string' ? name : 'Object'}]`;
}

function toWireValue(value: unknown, depth: number): WireValue {
  if (value === null || value === undefined || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (depth >= MAX_DEPTH) return describeValue(value);
  if (value instanceof Error) return { error: toWireError(value, depth + 1) };
  if (Array.isArray(value)) return value.map((v) => toWireValue(v, depth + 1));
  if (typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    const object: Record<string, WireValue> = {};
    for (const [key, v] of Object.entries(value)) object[key] = toWireValue(v, depth + 1);
    return { object };
  }
  return describeValue(value);
}

/** Any thrown value as a {@link WireError}; non-errors (a thrown string) become an `Error`. */
export function toWireError(error: unknown, depth = 0): WireError {
  if (!(error instanceof Error)) {
    const message = typeof error === 'string' ? error : `non-error thrown: ${String(error)}`;
    return { name: 'Error', message, stack: undefined, domException: false, fields: {} };
  }
  const fields: Record<string, WireValue> = {};
  // `cause` is an own property but not enumerable (the Error constructor defines it so).
  const keys = new Set([...Object.keys(error), ...('cause' in error ? ['cause'] : [])]);
  for (const key of keys) {
    if (key === 'message' || key === 'stack') continue;
    fields[key] = toWireValue((error as unknown as Record<string, unknown>)[key], depth);
  }
  const domException = typeof DOMException === 'function' && error instanceof DOMException;
  return { name: error.name, message: error.message, stack: error.stack, domException, fields };
}

function fromWireValue(value: WireValue): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(fromWireValue);
  if ('error' in value) return fromWireError(value.error);
  return Object.fromEntries(Object.entries(value.object).map(([k, v]) => [k, fromWireValue(v)]));
}

function define(target: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable });
}

/**
 * The error a {@link WireError} describes, as an instance of its class when the class is one this
 * package knows (its own errors, `BackendUnavailableError`, the built-in ones; an `AbortError` or
 * other `DOMException` comes back as a `DOMException`), else as an `Error` with the original name.
 * Fields are restored as they were; the stack is the worker's, where the error was thrown.
 */
export function fromWireError(wire: WireError): Error {
  if (wire.domException && typeof DOMException === 'function') {
    const error = new DOMException(wire.message, wire.name);
    if (wire.stack !== undefined) define(error, 'stack', wire.stack, false);
    return error;
  }
  const known = Object.hasOwn(CLASSES, wire.name) ? CLASSES[wire.name] : undefined;
  // The constructors take different arguments and compose their messages; the worker's message is
  // already composed, so the class is given to a plain Error (a genuine error object, which
  // consoles and structured clone recognise) instead of running the constructor.
  const error = new Error(wire.message);
  if (known !== undefined && known !== Error) Object.setPrototypeOf(error, known.prototype as object);
  // Our classes set `name` as an own field (restored with the fields below); an error whose class
  // is unknown here keeps its original name on top of Error.
  if (error.name !== wire.name && !Object.hasOwn(wire.fields, 'name')) define(error, 'name', wire.name, false);
  if (wire.stack !== undefined) define(error, 'stack', wire.stack, false);
  for (const [key, value] of Object.entries(wire.fields)) define(error, key, fromWireValue(value), key !== 'cause');
  return error;
}
