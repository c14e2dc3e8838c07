/**
 * Node tests that need the download layer in other processes (lock files, a paused holder, another
 * user): the layer transpiled to plain JavaScript in a temporary directory, and child processes
 * that run a script there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The download layer as plain ES modules in a fresh directory (readable by every user), with @resnext/layers linked in; remove it when done. */
export async function transpileDownloadLayer(): Promise<string> {
  const moduleDir = await fs.mkdtemp(path.join(os.tmpdir(), 'resnext-download-js-'));
  await fs.chmod(moduleDir, 0o755);
  const here = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'download');
  for (const name of await fs.readdir(here)) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    const source = await fs.readFile(path.join(here, name), 'utf8');
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } });
    await fs.writeFile(path.join(moduleDir, name.replace(/\.ts$/, '.js')), outputText);
  }
  await fs.writeFile(path.join(moduleDir, 'package.json'), '{"type":"module"}');
  // The layer imports the shared writer and Node importer from the built @resnext/layers/node-io.
  await fs.mkdir(path.join(moduleDir, 'node_modules', '@resnext'), { recursive: true, mode: 0o755 });
  await fs.symlink(path.join(here, '..', '..', '..', 'layers'), path.join(moduleDir, 'node_modules', '@resnext', 'layers'), 'dir');
  return moduleDir;
}

/** A running child process, its output so far, and its end. */
export interface Child {
  readonly process: ChildProcess;
  /** Resolves when the child has written `line` (a whole line) to stdout. */
  said(line: string): Promise<void>;
  readonly done: Promise<{ code: number | null; out: string; err: string }>;
}

/** Runs `script` (a file in the transpiled layer's directory) with `args`; `uid` and `gid` run it as another user (needs root). */
export function runChild(moduleDir: string, script: string, args: string[], options: { uid?: number; gid?: number } = {}): Child {
  const proc = spawn(process.execPath, [path.join(moduleDir, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let out = '';
  let err = '';
  const waiting = new Map<string, () => void>();
  proc.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const [line, resolve] of waiting) if (out.split('\n').includes(line)) resolve();
  });
  proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => proc.on('close', (code) => resolve({ code, out, err })));
  return {
    process: proc,
    said: (line) =>
      new Promise<void>((resolve) => {
        if (out.split('\n').includes(line)) resolve();
        else waiting.set(line, resolve);
      }),
    done,
  };
}
