// Errors through the wire format, and through a real structured clone (what postMessage does):
// each comes back as its class with its fields, causes and nested errors.
import { BackendUnavailableError } from '@resnext/backends';
import { describe, expect, it } from 'vitest';
import { WeightsFormatError } from '../errors.js';
import { DownloadError, IntegrityError, OfflineError } from '../download/errors.js';
import { StateDictMismatchError } from '../mapping/load_state_dict.js';
import { ImageDecodeError } from '../preprocess/image_decode_error.js';
import { WeightsRegistryError } from '../registry/weights_registry.js';
import { fromWireError, toWireError } from './error_wire.js';
import { WorkerError } from './worker_error.js';

const roundTrip = (error: unknown): Error => fromWireError(structuredClone(toWireError(error)));

function expectSame(got: Error, original: Error): void {
  expect(Object.getPrototypeOf(got)).toBe(Object.getPrototypeOf(original));
  expect(got.name).toBe(original.name);
  expect(got.message).toBe(original.message);
  expect(got.stack).toBe(original.stack);
  expect({ ...got }).toEqual({ ...original });
  expect(Object.keys(got)).toEqual(Object.keys(original));
}

describe('error wire format', () => {
  it("this package's errors and BackendUnavailableError come back as their classes with every field", () => {
    const errors: Error[] = [
      new ImageDecodeError('bytes', 'corrupt PNG data'),
      new WeightsFormatError('model.safetensors', 'header length past the end'),
      new IntegrityError({ url: 'https://x/w.pth', file: '/c/w.pth', check: 'sha256', expected: 'aa', actual: 'bb', origin: 'cache' }),
      new OfflineError(['https://x/w.pth'], ['/c/w.pth']),
      new StateDictMismatchError({ missingKeys: ['fc/kernel'], unexpectedKeys: ['x.weight'], mismatchedKeys: [] }, 'w.safetensors'),
      new WeightsRegistryError('unknown weights resnext9'),
      new BackendUnavailableError('no WebGL 2', { backend: 'webgl', failure: 'unsupported', missing: 'WebGL 2' }),
      new WorkerError({ reason: 'disposed', problem: 'gone', workerUrl: 'https://x/worker.js' }),
    ];
    for (const original of errors) {
      const got = roundTrip(original);
      expect(got).toBeInstanceOf(original.constructor);
      expectSame(got, original);
    }
    const mismatch = roundTrip(errors[4]) as StateDictMismatchError;
    expect(mismatch.result.missingKeys).toEqual(['fc/kernel']);
  });

  it('nested errors: a DownloadError\'s attempts and causes keep their classes', () => {
    const network = new TypeError('fetch failed');
    const first = new DownloadError({ url: 'https://a/w', reason: 'network', problem: 'connection reset', cause: network });
    const second = new IntegrityError({ url: 'https://b/w', check: 'size', expected: 10, actual: 9, origin: 'download' });
    const all = new DownloadError({ url: 'https://a/w', reason: 'all-sources-failed', problem: 'every source failed', attempts: [first, second] });
    const got = roundTrip(all) as DownloadError;
    expectSame(got, all);
    expect(got.attempts[0]).toBeInstanceOf(DownloadError);
    expect(got.attempts[1]).toBeInstanceOf(IntegrityError);
    expect((got.attempts[1] as IntegrityError).expected).toBe(10);
    const cause = (got.attempts[0] as DownloadError).cause;
    expect(cause).toBeInstanceOf(TypeError);
    expect((cause as Error).message).toBe('fetch failed');
    // A cause stays non-enumerable, as the Error constructor makes it.
    expect(Object.keys(got.attempts[0]!)).not.toContain('cause');
  });

  it('built-in errors, DOMExceptions, unknown classes and thrown non-errors', () => {
    const range = roundTrip(new RangeError('topk must be a positive integer'));
    expect(range).toBeInstanceOf(RangeError);
    expect(range.message).toBe('topk must be a positive integer');

    const abort = roundTrip(new DOMException('cancelled', 'AbortError'));
    expect(abort).toBeInstanceOf(DOMException);
    expect(abort.name).toBe('AbortError');

    class TfjsError extends Error {
      override name = 'TfjsSpecificError';
      readonly detail = 42;
    }
    const unknown = roundTrip(new TfjsError('kernel not registered'));
    expect(unknown).toBeInstanceOf(Error);
    expect(unknown).toMatchObject({ name: 'TfjsSpecificError', message: 'kernel not registered', detail: 42 });

    expect(roundTrip('a string')).toMatchObject({ name: 'Error', message: 'a string' });
    expect(roundTrip(7).message).toBe('non-error thrown: 7');
  });

  it('fields that cannot be cloned are described, not dropped or thrown on', () => {
    const error = Object.assign(new Error('odd fields'), { fn: function refetch() {}, when: new Date(0), big: 10n, nested: { list: [1, 'a', null] } });
    const wire = toWireError(error);
    expect(() => structuredClone(wire)).not.toThrow();
    const got = fromWireError(structuredClone(wire));
    expect(got).toMatchObject({ fn: '[function refetch]', when: '[object Date]', big: '10', nested: { list: [1, 'a', null] } });
  });
});
