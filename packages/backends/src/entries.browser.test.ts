// A page that imports no @resnext/backends entry: useBackend cannot import a backend package by
// its bare name in a browser, and says which entry to import and which package to install.
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from './errors.js';
import { useBackend } from './use_backend.js';

describe('useBackend in a browser app without the backend entries', () => {
  it.each([
    ['webgl', '@tensorflow/tfjs-backend-webgl'],
    ['wasm', '@tensorflow/tfjs-backend-wasm'],
  ] as const)('%s: names the entry to import and the package to install', async (backend, pkg) => {
    const error = await useBackend(backend).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error).toMatchObject({ backend, failure: 'not-installed', install: pkg });
    expect((error as Error).message).toContain(`import '@resnext/backends/${backend}'`);
    expect((error as Error).message).toContain(`npm install ${pkg}`);
  });

  it("'auto' ends on no backend and reports each missing entry", async () => {
    const error = await useBackend('auto', { onWarning: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toContain("import '@resnext/backends/cpu'");
  });
});
