// startTfjsWasm with stand-in Emscripten factories: a pthread worker that fails while the build
// starts ends the start with an error instead of leaving it pending forever.
import { describe, expect, it, vi } from 'vitest';
import { startTfjsWasm, type EmscriptenFactory } from './emscripten_module.js';

const binary = new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));

describe('startTfjsWasm', () => {
  it('fails the start when the glue reports a pthread worker error', async () => {
    // Like the glue: the worker's error is only printed, and the module never becomes ready.
    const factory: EmscriptenFactory = (overrides) => {
      setTimeout(() => overrides.printErr?.('worker sent an error! blob:x:1: Uncaught ReferenceError: e is not defined'), 5);
      return new Promise(() => undefined);
    };
    const printed = vi.fn();
    await expect(startTfjsWasm({ factory, binary, printErr: printed }, 2)).rejects.toThrow(
      'a tfjs-backend-wasm pthread worker failed while starting: worker sent an error! blob:x:1: Uncaught ReferenceError: e is not defined',
    );
    expect(printed).toHaveBeenCalledOnce();
  });

  it('passes other glue messages on and reports 2 × threads cores to the binary', async () => {
    const printed: string[] = [];
    const factory: EmscriptenFactory = (overrides) => {
      overrides.printErr?.('some warning');
      return new Promise((resolve) => {
        overrides.instantiateWasm({ env: { emscripten_num_logical_cores: () => 2 } }, () => {
          resolve({ cwrap: () => () => 0, asm: { dispose: () => undefined }, HEAPU8: new Uint8Array(0) });
        });
      });
    };
    const spy = vi.spyOn(WebAssembly, 'instantiate');
    await startTfjsWasm({ factory, binary, printErr: (t) => printed.push(t) }, 3);
    const imports = spy.mock.calls[0]![1] as { env: { emscripten_num_logical_cores: () => number } };
    expect(imports.env.emscripten_num_logical_cores()).toBe(6);
    expect(printed).toEqual(['some warning']);
    spy.mockRestore();
  });
});
