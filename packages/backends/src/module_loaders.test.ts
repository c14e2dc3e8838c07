// The registry of module loaders: the default importer takes a registered loader over import(),
// the entries register the tfjs packages' loaders (the wasm one with its Emscripten glue), and
// without a registration Node still imports whatever is installed.
import type * as NodePath from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultImporter } from './importer.js';
import type * as Registry from './module_loaders.js';
import { moduleLoaderFor, registerModuleLoader, unregisterModuleLoader } from './module_loaders.js';
import { GLUE_MODULES } from './wasm/browser_wasm.js';

const SPECIFIER = '@resnext/test-only-package';

afterEach(() => {
  unregisterModuleLoader(SPECIFIER);
});

describe('registerModuleLoader', () => {
  it('makes the default importer call the loader instead of import()', async () => {
    const module = { marker: 'from the loader' };
    const calls: number[] = [];
    registerModuleLoader(SPECIFIER, () => {
      calls.push(calls.length);
      return Promise.resolve(module);
    });
    expect(await defaultImporter(SPECIFIER)).toBe(module);
    expect(calls).toEqual([0]);
  });

  it('replaces an earlier loader for the same specifier', async () => {
    registerModuleLoader(SPECIFIER, () => Promise.resolve('first'));
    registerModuleLoader(SPECIFIER, () => Promise.resolve('second'));
    expect(await defaultImporter(SPECIFIER)).toBe('second');
  });

  it('refuses a loader that is not a function', () => {
    expect(() => registerModuleLoader(SPECIFIER, 'x' as unknown as () => Promise<unknown>)).toThrow(TypeError);
    expect(moduleLoaderFor(SPECIFIER)).toBeUndefined();
  });

  it('without a loader, imports the package by its name (Node: what is installed)', async () => {
    expect(moduleLoaderFor('node:path')).toBeUndefined();
    const path = (await defaultImporter('node:path')) as typeof NodePath;
    expect(path.posix.join('a', 'b')).toBe('a/b');
    await expect(defaultImporter(SPECIFIER)).rejects.toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
  });
});

/** A fresh module registry with one entry imported: the registry as that entry alone leaves it. */
async function registryAfter(entry: string): Promise<typeof Registry> {
  vi.resetModules();
  const registry = await import('./module_loaders.js');
  await import(/* @vite-ignore */ `./entries/${entry}.js`);
  return registry;
}

describe('the @resnext/backends/<backend> entries', () => {
  it('cpu, webgl and webgpu each register their tfjs package alone, loading the installed module', async () => {
    for (const backend of ['cpu', 'webgl', 'webgpu']) {
      const registry = await registryAfter(backend);
      const others = ['cpu', 'wasm', 'webgl', 'webgpu'].filter((b) => b !== backend);
      expect(others.filter((b) => registry.moduleLoaderFor(`@tensorflow/tfjs-backend-${b}`) !== undefined)).toEqual([]);
      const name = `@tensorflow/tfjs-backend-${backend}`;
      const loader = registry.moduleLoaderFor(name);
      expect(loader, name).toBeTypeOf('function');
      // What a bundler splits into a chunk is the package itself.
      expect(await loader!()).toBe(await import(/* @vite-ignore */ name));
    }
  });

  it('wasm registers tfjs-backend-wasm and the three Emscripten glue modules our browser loader imports', async () => {
    const registry = await registryAfter('wasm');
    const specifiers = ['@tensorflow/tfjs-backend-wasm', GLUE_MODULES.plain, GLUE_MODULES.threaded, GLUE_MODULES.threadedWorker];
    for (const specifier of specifiers) expect(registry.moduleLoaderFor(specifier), specifier).toBeTypeOf('function');
    const worker = (await registry.moduleLoaderFor(GLUE_MODULES.threadedWorker)!()) as { wasmWorkerContents?: unknown; default?: { wasmWorkerContents?: unknown } };
    expect(typeof (worker.wasmWorkerContents ?? worker.default?.wasmWorkerContents)).toBe('string');
  });

  it('browser registers all four backend packages', async () => {
    const registry = await registryAfter('browser');
    const names = ['cpu', 'wasm', 'webgl', 'webgpu'].map((b) => `@tensorflow/tfjs-backend-${b}`);
    expect(names.filter((name) => registry.moduleLoaderFor(name) === undefined)).toEqual([]);
  });
});
