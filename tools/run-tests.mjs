#!/usr/bin/env node
// Runs every Nx test-like target across all packages, streams the output, and ends with one
// summary line that adds up Vitest's per-package counts: "tests: N passed, N failed".
import { spawn } from 'node:child_process';

const targets = ['lint', 'typecheck', 'test', 'test-browser', 'check-package'];
const args = ['nx', 'run-many', '-t', ...targets, '--outputStyle=static', ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'pipe'] });

let passed = 0;
let failed = 0;
let skipped = 0;
let buffer = '';
/** Vitest's "FAIL <file> > <test>" lines, repeated at the end (the start of a long log is often cut). */
const failures = [];
const countLine = (line) => {
  // Vitest's run summary, e.g. "      Tests  2 failed | 40 passed | 1 skipped (43)".
  // eslint-disable-next-line no-control-regex
  const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
  if (/^\s*FAIL\s/.test(plain) && !failures.includes(plain.trim())) failures.push(plain.trim());
  const m = /^\s*Tests\s+(.*)\(\d+\)\s*$/.exec(plain);
  if (!m) return;
  for (const part of m[1].split('|')) {
    const [n, what] = part.trim().split(/\s+/);
    if (what === 'passed') passed += Number(n);
    else if (what === 'failed') failed += Number(n);
    else if (what === 'skipped' || what === 'todo') skipped += Number(n);
  }
};
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

child.on('close', (code) => {
  countLine(buffer);
  if (code !== 0 && failed === 0) failed = 1; // a target other than Vitest failed
  if (failures.length > 0) console.log(`\nfailed tests:\n${failures.map((f) => `  ${f}`).join('\n')}`);
  console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code ?? 1);
});
