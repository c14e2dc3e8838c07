/**
 * The Node built-ins the Node wasm loader uses, imported lazily and typed locally. Why: the
 * package builds without @types/node, and specifiers in variables (with the bundler-ignore
 * comments) keep browser bundlers from trying to resolve modules they cannot bundle; this code
 * only ever runs in Node.
 */

/** `require` from `node:module`'s `createRequire`. */
interface NodeRequire {
  (id: string): unknown;
  resolve(id: string): string;
}

/** A `worker_threads` Worker, as far as the loader touches it. */
export interface NodeWorker {
  unref(): void;
}

/** The part of `process` (an EventEmitter) used to keep the host's listeners intact. */
interface ProcessEvents {
  listeners(event: string): ((...args: unknown[]) => void)[];
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** The built-ins, loaded. */
export interface NodeBuiltins {
  createRequire(from: string): NodeRequire;
  readFile(path: string): Promise<Uint8Array<ArrayBuffer>>;
  availableParallelism(): number;
  join(...parts: string[]): string;
  dirname(path: string): string;
  process: ProcessEvents;
}

const MODULE = 'node:module';
const FS = 'node:fs/promises';
const OS = 'node:os';
const PATH = 'node:path';

let loaded: Promise<NodeBuiltins> | undefined;

async function load(): Promise<NodeBuiltins> {
  const [module, fs, os, path] = await Promise.all(
    [MODULE, FS, OS, PATH].map((specifier): Promise<unknown> => import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)),
  );
  return {
    createRequire: (module as Pick<NodeBuiltins, 'createRequire'>).createRequire,
    readFile: (fs as Pick<NodeBuiltins, 'readFile'>).readFile,
    availableParallelism: (os as Pick<NodeBuiltins, 'availableParallelism'>).availableParallelism,
    join: (path as Pick<NodeBuiltins, 'join'>).join,
    dirname: (path as Pick<NodeBuiltins, 'dirname'>).dirname,
    process: (globalThis as unknown as { process: ProcessEvents }).process,
  };
}

/** Loads the built-ins once. Node only. */
export function nodeBuiltins(): Promise<NodeBuiltins> {
  loaded ??= load();
  return loaded;
}
