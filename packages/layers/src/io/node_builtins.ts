/// <reference types="node" />
/**
 * Node built-ins, imported on first use. Only type imports of `node:` modules appear statically;
 * the runtime specifiers sit in variables behind the bundler-ignore comments, so webpack, Vite and
 * esbuild never try to resolve a module they cannot bundle: a module using this stays importable
 * in a browser and fails only when it really touches the file system there.
 */
import type * as NodeCrypto from 'node:crypto';
import type * as NodeFs from 'node:fs';
import type * as NodeFsPromises from 'node:fs/promises';
import type * as NodeOs from 'node:os';
import type * as NodePath from 'node:path';
import type * as NodeUrl from 'node:url';
import type * as NodeWorkerThreads from 'node:worker_threads';

/** The Node built-in modules {@link nodeBuiltins} loads. */
export interface NodeBuiltins {
  crypto: typeof NodeCrypto;
  fs: typeof NodeFs;
  fsp: typeof NodeFsPromises;
  os: typeof NodeOs;
  path: typeof NodePath;
  url: typeof NodeUrl;
  workerThreads: typeof NodeWorkerThreads;
}

const SPECIFIERS = ['node:crypto', 'node:fs', 'node:fs/promises', 'node:os', 'node:path', 'node:url', 'node:worker_threads'] as const;
let loaded: Promise<NodeBuiltins> | undefined;

async function load(specifier: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

/**
 * The Node built-ins (`crypto`, `fs`, `fs/promises` as `fsp`, `os`, `path`, `url`,
 * `worker_threads` as `workerThreads`), imported once per thread. Node only: in a browser the
 * returned promise rejects.
 *
 * @example
 * ```ts
 * const { fsp } = await nodeBuiltins();
 * const text = await fsp.readFile('model.json', 'utf8');
 * ```
 */
export function nodeBuiltins(): Promise<NodeBuiltins> {
  loaded ??= Promise.all(SPECIFIERS.map(load)).then(([crypto, fs, fsp, os, path, url, workerThreads]) => ({
    crypto: crypto as typeof NodeCrypto,
    fs: fs as typeof NodeFs,
    fsp: fsp as typeof NodeFsPromises,
    os: os as typeof NodeOs,
    path: path as typeof NodePath,
    url: url as typeof NodeUrl,
    workerThreads: workerThreads as typeof NodeWorkerThreads,
  }));
  return loaded;
}
