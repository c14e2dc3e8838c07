// What importBackendPackage says when a backend package cannot be imported: in a browser app
// that did not import the package's @resnext/backends entry, the entry to add and the package to
// install; elsewhere, the package to install.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendUnavailableError } from './errors.js';
import { importBackendPackage, type ModuleImporter } from './importer.js';
import { registerModuleLoader, unregisterModuleLoader } from './module_loaders.js';

/** How Chromium rejects import() of a bare specifier that nothing maps (no bundler, no import map). */
const unresolvable: ModuleImporter = (specifier) =>
  Promise.reject(new TypeError(`Failed to resolve module specifier "${specifier}". Relative references must start with either "/", "./", or "../".`));

/** Runs `body` as if in a browser: tfjs' IS_NODE flag off. */
async function inBrowser<T>(body: () => Promise<T>): Promise<T> {
  tf.env().set('IS_NODE', false);
  try {
    return await body();
  } finally {
    tf.env().set('IS_NODE', true);
  }
}

async function rejection(promise: Promise<unknown>): Promise<BackendUnavailableError> {
  const error = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackendUnavailableError);
  return error as BackendUnavailableError;
}

afterEach(() => unregisterModuleLoader('@tensorflow/tfjs-backend-webgl'));

describe('importBackendPackage in a browser', () => {
  it.each([
    ['webgl', '@tensorflow/tfjs-backend-webgl', '@resnext/backends/webgl'],
    ['webgpu', '@tensorflow/tfjs-backend-webgpu', '@resnext/backends/webgpu'],
    ['wasm', '@tensorflow/tfjs-backend-wasm', '@resnext/backends/wasm'],
    ['cpu', '@tensorflow/tfjs-backend-cpu', '@resnext/backends/cpu'],
  ])('%s not bundled: names the entry to import and the package to install', async (backend, pkg, entry) => {
    const error = await inBrowser(() => rejection(importBackendPackage(pkg, backend, unresolvable)));
    expect(error).toMatchObject({ backend, failure: 'not-installed', install: pkg });
    expect(error.message).toContain(`add import '${entry}'; to the app`);
    expect(error.message).toContain(`npm install ${pkg}`);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('a registered loader that fails to load its chunk is not mistaken for a missing entry', async () => {
    registerModuleLoader('@tensorflow/tfjs-backend-webgl', () => Promise.reject(new TypeError('Failed to fetch dynamically imported module: /assets/webgl-1234.js')));
    const importer: ModuleImporter = () => Promise.reject(new TypeError('Failed to fetch dynamically imported module: /assets/webgl-1234.js'));
    const error = await inBrowser(() => rejection(importBackendPackage('@tensorflow/tfjs-backend-webgl', 'webgl', importer)));
    expect(error.message).not.toContain('@resnext/backends/webgl');
    expect(error.message).toContain('npm install @tensorflow/tfjs-backend-webgl');
  });
});

describe('importBackendPackage in Node', () => {
  it('names only the package to install (no bundler entry)', async () => {
    const missing: ModuleImporter = () => import(/* @vite-ignore */ '@resnext/no-such-package-' + 'for-tests');
    const error = await rejection(importBackendPackage('@tensorflow/tfjs-backend-webgl', 'webgl', missing));
    expect(error).toMatchObject({ failure: 'not-installed', install: '@tensorflow/tfjs-backend-webgl' });
    expect(error.message).toMatch(/^The webgl backend needs @tensorflow\/tfjs-backend-webgl, which is not installed: npm install @tensorflow\/tfjs-backend-webgl/);
    expect(error.message).not.toContain('@resnext/backends/webgl');
  });
});
