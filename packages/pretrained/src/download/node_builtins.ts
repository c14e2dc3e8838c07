/**
 * Node built-ins of the disk cache, loaded on first use. Only type imports appear statically, so
 * browser bundlers see no `node:` import in the download layer; the runtime specifiers are held in
 * variables and marked ignored for webpack and Vite (as packages/layers/src/io/file_system.ts does),
 * which keeps bundlers from trying to resolve modules they cannot bundle.
 */
import type * as NodeCrypto from 'node:crypto';
import type * as NodeFs from 'node:fs';
import type * as NodeFsPromises from 'node:fs/promises';
import type * as NodeOs from 'node:os';
import type * as NodePath from 'node:path';

/** The Node modules the disk cache uses. */
export interface NodeBuiltins {
  crypto: typeof NodeCrypto;
  fs: typeof NodeFs;
  fsp: typeof NodeFsPromises;
  os: typeof NodeOs;
  path: typeof NodePath;
}

const SPECIFIERS = ['node:crypto', 'node:fs', 'node:fs/promises', 'node:os', 'node:path'] as const;
let loaded: Promise<NodeBuiltins> | undefined;

async function load(specifier: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

/** The built-ins, imported once per process. Call only after `isNode()`. */
export function nodeBuiltins(): Promise<NodeBuiltins> {
  loaded ??= Promise.all(SPECIFIERS.map(load)).then(([crypto, fs, fsp, os, path]) => ({
    crypto: crypto as typeof NodeCrypto,
    fs: fs as typeof NodeFs,
    fsp: fsp as typeof NodeFsPromises,
    os: os as typeof NodeOs,
    path: path as typeof NodePath,
  }));
  return loaded;
}
