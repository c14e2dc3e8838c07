/**
 * Loaders registered for module specifiers, consulted by the default importer before it falls back
 * to a computed `import()`. The `@resnext/backends/<backend>` entries register one per tfjs backend
 * package: their literal `import('@tensorflow/tfjs-backend-…')` is what a bundler sees, splits into
 * a chunk and resolves, so only apps that import an entry need that package installed.
 */

/** Loads one module, like `() => import('some-package')`. */
export type ModuleLoader = () => Promise<unknown>;

const loaders = new Map<string, ModuleLoader>();

/**
 * Makes `useBackend` load `specifier` with `loader` instead of a computed `import(specifier)`
 * (which bundlers leave alone). A later registration for the same specifier replaces the earlier.
 *
 * @example
 * ```ts
 * registerModuleLoader('@tensorflow/tfjs-backend-webgl', () => import('@tensorflow/tfjs-backend-webgl'));
 * ```
 */
export function registerModuleLoader(specifier: string, loader: ModuleLoader): void {
  if (typeof loader !== 'function') throw new TypeError(`the loader for ${specifier} must be a function returning import(…)`);
  loaders.set(specifier, loader);
}

/** The loader registered for `specifier`, if any. */
export function moduleLoaderFor(specifier: string): ModuleLoader | undefined {
  return loaders.get(specifier);
}

/** Removes the loader registered for `specifier` (tests); returns whether there was one. */
export function unregisterModuleLoader(specifier: string): boolean {
  return loaders.delete(specifier);
}
