// Which passed-over backends 'auto' warns about in a browser: setup problems only.
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, type BackendFailure } from './errors.js';
import type { BackendName } from './adapters/types.js';
import { setupWarnings, type SkippedBackend } from './use_backend.js';

const skip = (backend: BackendName, failure: BackendFailure, message = `${backend} ${failure}`): SkippedBackend => ({
  backend,
  error: new BackendUnavailableError(message, { backend, failure }),
});

describe('setupWarnings', () => {
  it('is silent when the browser simply lacks a backend', () => {
    expect(setupWarnings('wasm', [skip('webgpu', 'unsupported'), skip('webgl', 'unsupported')])).toEqual([]);
  });

  it('is silent when a faster backend was not bundled but a fast one runs', () => {
    expect(setupWarnings('wasm', [skip('webgpu', 'not-installed'), skip('webgl', 'not-installed')])).toEqual([]);
  });

  it('names a backend that failed to start, with its error', () => {
    const warnings = setupWarnings('cpu', [skip('webgpu', 'unsupported'), skip('webgl', 'unsupported'), skip('wasm', 'init-failed', 'binary missing at /x.wasm')]);
    expect(warnings).toEqual(["@resnext/backends: useBackend('auto') skipped wasm, which failed to start: binary missing at /x.wasm"]);
  });

  it('says so when it lands on cpu because faster backends were not bundled', () => {
    const [warning, ...rest] = setupWarnings('cpu', [skip('webgpu', 'unsupported'), skip('webgl', 'not-installed', 'add webgl'), skip('wasm', 'not-installed', 'add wasm')]);
    expect(rest).toEqual([]);
    expect(warning).toContain('fell back to the cpu backend (slow) because webgl and wasm could not be imported: add webgl add wasm');
  });
});
