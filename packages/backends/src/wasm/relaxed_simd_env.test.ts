// RESNEXT_RELAXED_SIMD=1 opts a Node process into relaxed SIMD without code, as the relaxedSimd
// option does (a process-wide V8 flag, hence a file of its own: Vitest runs each file in its own
// process). On Node >= 22 relaxed SIMD is on anyway and the variable changes nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { useBackend } from '../use_backend.js';
import { RELAXED_SIMD_ENV, relaxedSimdRequestedByEnv, relaxedSimdSupported } from './relaxed_simd.js';

describe('RESNEXT_RELAXED_SIMD', () => {
  afterAll(() => {
    delete process.env[RELAXED_SIMD_ENV];
  });

  it('reads 1 and true as a request, anything else as none', () => {
    for (const [value, expected] of [['1', true], ['true', true], [' TRUE ', true], ['0', false], ['', false], ['yes', false]] as const) {
      process.env[RELAXED_SIMD_ENV] = value;
      expect(relaxedSimdRequestedByEnv(), value).toBe(expected);
    }
    delete process.env[RELAXED_SIMD_ENV];
    expect(relaxedSimdRequestedByEnv()).toBe(false);
  });

  it("turns relaxed SIMD on for useBackend('auto') and says so in the reason", async () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(relaxedSimdSupported()).toBe(major >= 22);
    process.env[RELAXED_SIMD_ENV] = '1';
    const got = await useBackend('auto', { threads: 2 });
    expect(got.name).toBe('wasm');
    expect(got.relaxedSimd).toBe(true);
    expect(got.reason).toMatch(/^auto: wasm is the first available in node-gpu > node > wasm > cpu; skipped .*\(2 thread\(s\); FMA kernels on \(relaxed SIMD\)\)$/);
  });
});
