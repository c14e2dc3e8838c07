#!/usr/bin/env node
// Runs every Nx test-like target across all packages on the machine's Node, then the Node test
// targets (`test`, `test-slow`) again on each extra Node that tools/setup.sh installed under .node/<version>/
// (Node 22 and 24 LTS), streams the output, and ends with one summary line that adds up Vitest's counts
// of all runs: "tests: N passed, N failed". Nx's cache keys include `node --version`, so the extra
// runs really run. `--system-node-only` skips them; other arguments go to every `nx run-many`.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2).filter((a) => a !== '--system-node-only');
const systemNodeOnly = args.length !== process.argv.length - 2;

/** Node builds installed by tools/setup.sh: `.node/<version>/bin/node`, oldest first. */
function extraNodes() {
  const dir = path.join(ROOT, '.node');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && existsSync(path.join(dir, v, 'bin', 'node')))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((version) => ({ version, bin: path.join(dir, version, 'bin') }));
}

/** Vitest's counts and FAIL lines of one `nx run-many`, read from its streamed output. */
function runNx(targets, label, env = process.env) {
  const counts = { passed: 0, failed: 0, skipped: 0, failures: [] };
  const countLine = (line) => {
    // eslint-disable-next-line no-control-regex
    const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
    if (/^\s*FAIL\s/.test(plain) && !counts.failures.includes(plain.trim())) counts.failures.push(plain.trim());
    // Vitest's run summary, e.g. "      Tests  2 failed | 40 passed | 1 skipped (43)".
    const m = /^\s*Tests\s+(.*)\(\d+\)\s*$/.exec(plain);
    if (!m) return;
    for (const part of m[1].split('|')) {
      const [n, what] = part.trim().split(/\s+/);
      if (what === 'passed') counts.passed += Number(n);
      else if (what === 'failed') counts.failed += Number(n);
      else if (what === 'skipped' || what === 'todo') counts.skipped += Number(n);
    }
  };
  console.log(`\n=== ${label}: nx run-many -t ${targets.join(' ')} ===\n`);
  const child = spawn('npx', ['nx', 'run-many', '-t', ...targets, '--outputStyle=static', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let buffer = '';
  const pipe = (stream, out) =>
    stream.on('data', (chunk) => {
      out.write(chunk);
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      lines.forEach(countLine);
    });
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      countLine(buffer);
      if (code !== 0 && counts.failed === 0) counts.failed = 1; // a target other than Vitest failed
      resolve({ ...counts, label, code: code ?? 1 });
    });
  });
}

const runs = [await runNx(['lint', 'typecheck', 'test', 'test-slow', 'test-browser', 'check-package'], `Node ${process.version}`)];
for (const node of systemNodeOnly ? [] : extraNodes()) {
  const env = { ...process.env, PATH: `${node.bin}${path.delimiter}${process.env.PATH ?? ''}` };
  runs.push(await runNx(['test', 'test-slow'], `Node v${node.version}`, env));
}

const failures = runs.flatMap((r) => r.failures.map((f) => `  [${r.label}] ${f}`));
if (failures.length > 0) console.log(`\nfailed tests:\n${failures.join('\n')}`);
console.log('');
for (const r of runs) console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
const sum = (key) => runs.reduce((n, r) => n + r[key], 0);
const skipped = sum('skipped');
console.log(`\ntests: ${sum('passed')} passed, ${sum('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(runs.every((r) => r.code === 0) ? 0 : 1);
