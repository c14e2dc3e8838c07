import { isNode } from './environment.js';
import { BackendUnavailableError } from './errors.js';
import { moduleLoaderFor } from './module_loaders.js';

/**
 * Loads a package by its specifier, like `import(specifier)`. Injectable (`useBackend`'s
 * `importer` option) so an app or a test can supply modules itself; the default is
 * {@link defaultImporter}.
 */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

/**
 * The default importer: the loader registered for the specifier (the `@resnext/backends/<backend>`
 * entries register them), else `import(specifier)` with a computed specifier. Bundlers leave the
 * latter alone, so this module names no optional package a bundler would have to resolve; in Node
 * and in unbundled ESM (import maps) it finds whatever is installed.
 */
export const defaultImporter: ModuleImporter = (specifier) => {
  const loader = moduleLoaderFor(specifier);
  if (loader !== undefined) return loader();
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
};

/** The side-effect entry that registers each browser backend package's loader. */
const BACKEND_ENTRIES: Readonly<Record<string, string>> = {
  '@tensorflow/tfjs-backend-cpu': '@resnext/backends/cpu',
  '@tensorflow/tfjs-backend-wasm': '@resnext/backends/wasm',
  '@tensorflow/tfjs-backend-webgl': '@resnext/backends/webgl',
  '@tensorflow/tfjs-backend-webgpu': '@resnext/backends/webgpu',
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
 * In a browser, a backend package imported through a computed specifier with no loader registered
 * was not bundled: every browser rejects a bare specifier it cannot map with a TypeError (each
 * worded its own way), and only an import map could have mapped it.
 */
function notBundled(packageName: string, error: unknown): boolean {
  return !isNode() && moduleLoaderFor(packageName) === undefined && error instanceof TypeError;
}

/** What a browser app must add for `packageName`: the entry to import and the package to install. */
function bundleHint(backend: string, packageName: string): string {
  const entry = BACKEND_ENTRIES[packageName];
  const add = entry === undefined ? '' : `add import '${entry}'; to the app (once, before useBackend) and `;
  return `The ${backend} backend needs ${packageName}, which this app does not include: ${add}npm install ${packageName}.`;
}

/**
 * Imports an optional backend package. A package that is not installed (or, in a browser, not
 * bundled) becomes a {@link BackendUnavailableError} naming the package to install and, in
 * browsers, the `@resnext/backends/<backend>` entry to import; any other failure while loading it
 * (a missing native binding, say) is reported as `init-failed` with the original error.
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
    if (notBundled(packageName, error)) {
      throw new BackendUnavailableError(`${bundleHint(backend, packageName)} (${detail})`, {
        backend,
        failure: 'not-installed',
        install: packageName,
        cause: error,
      });
    }
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
