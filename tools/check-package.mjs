#!/usr/bin/env node
// Checks what `npm pack` would publish for the package in the current folder:
// the built JS and .d.ts of every source module, the package's own sources (for source maps),
// README/LICENSE/package.json, weights shipped on purpose (weights/*.safetensors, listed in the
// package's "files", at most 5 MB each), tfjs-backend-wasm's three .wasm binaries when the package
// lists "wasm-files" (all three: a bundled app's default wasm paths point at them), the scripts
// its "bin" names (they must be in the tarball), the Python modules of a package that lists
// "python" (@resnext/recipes' torchrun trainer: .py files only, no bytecode), the native addon of
// a package that lists "prebuilds" (@resnext/layers: exactly prebuilds/linux-x64/resnext-kernels.node),
// and nothing else (no tests, no other package's files).
// Then imports the built entry point, as a user's `import` would.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const [report] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' }));
const files = report.files.map((f) => f.path).sort();

const problems = [];
const allowed = /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)|src\/.+\.ts)$/;
const shipsWeights = (pkg.files ?? []).includes('weights');
const WEIGHTS = /^weights\/[\w.-]+\.safetensors$/;
const shipsWasm = (pkg.files ?? []).includes('wasm-files');
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map((f) => `wasm-files/${f}`);
const shipsPython = (pkg.files ?? []).includes('python');
const PYTHON = /^python\/[\w/]+\.py$/;
const shipsNative = (pkg.files ?? []).includes('prebuilds');
const NATIVE_FILES = ['prebuilds/linux-x64/resnext-kernels.node'];
const BIN_FILES = Object.values(typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {})).map((f) => path.posix.normalize(f));
for (const { path: f, size } of report.files) {
  if (shipsWeights && WEIGHTS.test(f)) {
    if (size > 5 * 1024 * 1024) problems.push(`shipped weights ${f} are ${size} bytes (over 5 MB)`);
    continue;
  }
  if (shipsWasm && WASM_FILES.includes(f)) continue;
  if (BIN_FILES.includes(f)) continue;
  if (shipsPython && PYTHON.test(f)) continue;
  if (shipsNative && NATIVE_FILES.includes(f)) continue;
  if (!allowed.test(f)) problems.push(`unexpected file in the tarball: ${f}`);
  if (/\.test\.(ts|js|d\.ts)$|\.test\.js\.map$/.test(f)) problems.push(`test file in the tarball: ${f}`);
}
const sources = files.filter((f) => f.startsWith('src/') && f.endsWith('.ts'));
if (sources.length === 0) problems.push('no sources in the tarball');
for (const src of sources) {
  const base = src.slice('src/'.length, -'.ts'.length);
  for (const out of [`dist/${base}.js`, `dist/${base}.d.ts`]) {
    if (!files.includes(out)) problems.push(`${src} has no ${out} in the tarball`);
  }
}
for (const required of ['package.json', 'README.md', 'LICENSE', ...(shipsWasm ? WASM_FILES : []), ...(shipsNative ? NATIVE_FILES : []), ...BIN_FILES]) {
  if (!files.includes(required)) problems.push(`missing ${required}`);
}

if (problems.length > 0) {
  console.error(`${pkg.name}: ${problems.length} packaging problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

const entry = pkg.exports['.'].default;
const mod = await import(pathToFileURL(path.resolve(entry)).href);
console.log(`${pkg.name}: ${files.length} files, ${(report.size / 1024).toFixed(1)} kB packed; entry exports ${Object.keys(mod).length} names`);
