// Where the browser loader looks for tfjs' .wasm binaries, and what it says when the server
// answers with something else (fetch stubbed: these paths are plain functions of the response).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError } from '../errors.js';
import { fetchWasmBinary, shippedWasmPaths, wasmBinaryUrl } from './browser_files.js';

const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

function serve(status: number, body: Uint8Array | string, type = 'application/wasm'): void {
  vi.stubGlobal('fetch', () => Promise.resolve(new Response(body as BodyInit, { status, headers: { 'content-type': type } })));
}

afterEach(() => vi.unstubAllGlobals());

describe('wasm binary locations', () => {
  it('joins a folder prefix, or reads a per-file map', () => {
    expect(wasmBinaryUrl('/assets/', 'tfjs-backend-wasm-simd.wasm')).toBe('/assets/tfjs-backend-wasm-simd.wasm');
    expect(wasmBinaryUrl({ 'tfjs-backend-wasm-simd.wasm': '/a.wasm' }, 'tfjs-backend-wasm-simd.wasm')).toBe('/a.wasm');
    expect(() => wasmBinaryUrl({ 'tfjs-backend-wasm-simd.wasm': '/a.wasm' }, 'tfjs-backend-wasm-threaded-simd.wasm')).toThrow(/no entry for tfjs-backend-wasm-threaded-simd\.wasm/);
  });

  it('ships the three binaries in the package folder wasm-files/', () => {
    const paths = shippedWasmPaths();
    expect(Object.keys(paths).sort()).toEqual(['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm', 'tfjs-backend-wasm.wasm']);
    for (const [name, url] of Object.entries(paths)) expect(url).toBe(new URL(`../../wasm-files/${name}`, import.meta.url).href);
  });
});

describe('fetchWasmBinary', () => {
  it('compiles a WebAssembly binary', async () => {
    serve(200, EMPTY_MODULE);
    expect(await fetchWasmBinary('/x.wasm')).toBeInstanceOf(WebAssembly.Module);
  });

  it('names the URL and the status of a missing file', async () => {
    serve(404, 'Not Found', 'text/plain');
    const error = await fetchWasmBinary('/assets/x.wasm').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error).toMatchObject({ backend: 'wasm', failure: 'init-failed' });
    expect((error as Error).message).toMatch(/^tfjs' wasm binary is missing at \/assets\/x\.wasm \(HTTP 404\)\. Serve the files/);
  });

  it('refuses an HTML page answered in place of the binary (a dev server fallback)', async () => {
    serve(200, '<!doctype html><html></html>', 'text/html');
    await expect(fetchWasmBinary('/x.wasm')).rejects.toThrow(/^\/x\.wasm is not a WebAssembly binary \(28 bytes, text\/html\)/);
  });

  it('reports bytes that start like WebAssembly but do not compile', async () => {
    serve(200, new Uint8Array([...EMPTY_MODULE, 0xff]));
    await expect(fetchWasmBinary('/x.wasm')).rejects.toThrow(/^\/x\.wasm does not compile as WebAssembly/);
  });

  it('reports a network failure', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    await expect(fetchWasmBinary('/x.wasm')).rejects.toThrow(/could not be fetched from \/x\.wasm \(TypeError: Failed to fetch\)/);
  });
});
