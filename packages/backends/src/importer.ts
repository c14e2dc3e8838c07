import { BackendUnavailableError } from './errors.js';

/**
 * Loads a package by its specifier, like `import(specifier)`. Injectable so bundlers (and tests)
 * can supply modules; the default covers the tfjs backend packages.
 */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

/**
 * The default importer. The browser-capable backends are imported by literal specifiers so
 * bundlers see (and bundle) them; tfjs-node(-gpu) are Node-only and usually not installed, so they
 * go through a computed specifier that bundlers leave alone.
 */
export const defaultImporter: ModuleImporter = (specifier) => {
  switch (specifier) {
    case '@tensorflow/tfjs-backend-cpu':
      return import('@tensorflow/tfjs-backend-cpu');
    case '@tensorflow/tfjs-backend-wasm':
      return import('@tensorflow/tfjs-backend-wasm');
    case '@tensorflow/tfjs-backend-webgl':
      return import('@tensorflow/tfjs-backend-webgl');
    case '@tensorflow/tfjs-backend-webgpu':
      return import('@tensorflow/tfjs-backend-webgpu');
    default:
      return import(/* @vite-ignore */ specifier);
  }
};

// Node's codes for "no such package": ESM import and CommonJS require respectively.
const NOT_FOUND_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

function isModuleNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return NOT_FOUND_CODES.has(code);
  // Without a code: browsers report a failed dynamic import as a TypeError, and Vite's module
  // runner (Vitest, Vite SSR) throws a plain Error naming the unresolvable package.
  const message = error instanceof Error ? error.message : '';
  return (
    (error instanceof TypeError && /dynamically imported module|resolve module specifier/i.test(message)) ||
    /^(Could not resolve|Failed to load url) /.test(message)
  );
}

/**
 * Imports an optional backend package. A package that is not installed becomes a
 * {@link BackendUnavailableError} naming the package to install; any other failure while loading
 * it (a missing native binding, say) is reported as `init-failed` with the original error.
 */
export async function importBackendPackage(
  packageName: string,
  backend: string,
  importer: ModuleImporter,
  installHint = '',
): Promise<unknown> {
  try {
    return await importer(packageName);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    // A nested "Cannot find module" for a .node binary means the package is there but broken.
    if (isModuleNotFound(error) && !/\.node['"]?/.test(detail ?? '')) {
      throw new BackendUnavailableError(
        `The ${backend} backend needs ${packageName}, which is not installed: npm install ${packageName}` +
          `${installHint} (${detail})`,
        { backend, failure: 'not-installed', install: packageName, cause: error },
      );
    }
    throw new BackendUnavailableError(`${packageName} is installed but failed to load: ${detail}`, {
      backend,
      failure: 'init-failed',
      cause: error,
    });
  }
}
