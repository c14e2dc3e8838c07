// The relaxedSimd option: it turns V8's relaxed SIMD on in Node (a process-wide flag, hence a file
// of its own: Vitest runs each file in its own process) and backendInfo reports it.
import { describe, expect, it } from 'vitest';
import { useBackend } from '../use_backend.js';
import { enableRelaxedSimdInNode, relaxedSimdSupported } from './relaxed_simd.js';

describe('relaxed SIMD in Node', () => {
  it('is off in Node 20 until asked for, then the wasm backend reports it', async () => {
    const major = Number(process.versions.node.split('.')[0]);
    // Node >= 22 ships relaxed SIMD on; Node 20 keeps it behind a V8 flag.
    expect(relaxedSimdSupported()).toBe(major >= 22);
    const before = await useBackend('wasm', { threads: 1 });
    expect(before.relaxedSimd).toBe(major >= 22);
    // The reason says whether the FMA kernels run and, where they do not, the ways to opt in.
    if (major >= 22) expect(before.reason).toBe('requested wasm (1 thread(s); FMA kernels on (relaxed SIMD))');
    else expect(before.reason).toMatch(/^requested wasm \(1 thread\(s\); FMA kernels off: Node 20\.\d+\.\d+ has relaxed SIMD only behind a V8 flag; opt in with .*relaxedSimd: true.*RESNEXT_RELAXED_SIMD=1 or node --experimental-wasm-relaxed-simd/);
    const got = await useBackend('wasm', { threads: 1, relaxedSimd: true });
    expect(got.relaxedSimd).toBe(true);
    expect(got.reason).toBe('requested wasm (1 thread(s); FMA kernels on (relaxed SIMD))');
    expect(relaxedSimdSupported()).toBe(true);
    expect(enableRelaxedSimdInNode()).toBe(true); // idempotent
  });
});
