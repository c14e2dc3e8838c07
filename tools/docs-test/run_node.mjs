// Runs `ts run` blocks, each in its own Node process from the repository root (where the
// examples' relative paths such as fixtures/… point), as a user runs a script: it must finish by
// itself, exit 0, within its timeout.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transform } from 'esbuild';
import { ROOT } from './snippet_files.mjs';

/** Default per-block limit; a fence may raise it with `timeout=<seconds>`. */
export const DEFAULT_TIMEOUT_SECONDS = 120;

/** The block as an ES module Node runs: types stripped, an inline source map pointing into the markdown file. */
async function compile(file, block) {
  // Blank lines up to the fence, so that stack traces give the markdown file's own line numbers.
  const { code } = await transform(`${'\n'.repeat(block.line)}${block.code}export {};\n`, {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: path.join(ROOT, block.file),
  });
  const out = file.replace(/\.ts$/, '.mjs');
  writeFileSync(out, code);
  return out;
}

/** Runs one block; resolves `{ block, ok, seconds, output }`. */
async function runOne(file, block) {
  const script = await compile(file, block);
  const timeoutSeconds = block.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  // A cache of its own per block: examples that download must not touch ~/.cache, nor each other's files.
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'docs-test-cache-'));
  const started = performance.now();
  const child = spawn(process.execPath, ['--enable-source-maps', script], {
    cwd: ROOT,
    env: { ...process.env, RESNEXT_CACHE_DIR: cacheDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutSeconds * 1000);
  const code = await new Promise((resolve) => child.on('close', (exitCode, signal) => resolve(exitCode ?? signal)));
  clearTimeout(timer);
  rmSync(cacheDir, { recursive: true, force: true });
  const seconds = (performance.now() - started) / 1000;
  const problem = timedOut ? `did not finish within ${timeoutSeconds} s (still running, or a handle keeps the process alive)` : code === 0 ? undefined : `exited with ${code}`;
  return { block, ok: problem === undefined, problem, seconds, output };
}

/**
 * Runs the blocks, `concurrency` at a time, reporting each as it ends through `onResult`.
 * Returns every result in block order.
 */
export async function runNode(written, { concurrency = 2, onResult = () => {} } = {}) {
  const queue = [...written].filter(([, block]) => block.mode === 'node');
  const results = new Array(queue.length);
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const i = next++;
      results[i] = await runOne(...queue[i]);
      onResult(results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return results;
}
