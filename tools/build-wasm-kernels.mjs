#!/usr/bin/env node
// Builds @resnext/layers' wasm SIMD kernels (packages/layers/csrc/*.c) with clang + wasm-ld and
// writes them, base64-encoded, into a generated TypeScript module that is committed, so users and
// CI need no C toolchain. Two variants are linked from the same objects: one importing a plain
// memory (tfjs' single-threaded wasm builds) and one importing a shared memory (its threaded build);
// a wasm import must match the memory's `shared` flag exactly. Both are built twice: with plain
// SIMD, and with relaxed SIMD (-mrelaxed-simd: csrc/simd.h's MADD becomes f32x4.relaxed_madd, one
// FMA instead of a multiply and an add), which runtimes without relaxed SIMD reject at compile time.
//
// The module runs on the tfjs heap, so it must own no memory. The build fails if any unit
// references the stack pointer or emits static data, or if a binary defines a memory, has data
// segments or a start function, or imports anything but env.memory.
//
// Usage:  node tools/build-wasm-kernels.mjs           (re)writes the generated module
//         node tools/build-wasm-kernels.mjs --check   exits 1 if the committed module is stale
// Environment: CLANG (default clang-16), WASM_LD (default wasm-ld-16).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as v8 from 'node:v8';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const csrc = path.join(root, 'packages/layers/csrc');
const output = path.join(root, 'packages/layers/src/kernels/wasm/generated/kernels_wasm.ts');
const clang = process.env.CLANG ?? 'clang-16';
const wasmLd = process.env.WASM_LD ?? 'wasm-ld-16';
const check = process.argv.includes('--check');

// -matomics/-mbulk-memory only make the objects linkable against a shared memory; the code uses
// neither atomics nor bulk operations. Freestanding: there is no libc to link.
const CFLAGS = ['--target=wasm32', '-O3', '-std=c11', '-msimd128', '-matomics', '-mbulk-memory', '-ffreestanding', '-nostdlib', '-Wall', '-Wextra', '-Werror'];
// The largest memory tfjs' threaded build declares (4 GiB): a shared import needs a maximum at least as large.
const SHARED_MAX_BYTES = 4294967296;

function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if (err.code === 'ENOENT') fail(`${cmd} not found (install clang-16 and lld-16, or set CLANG / WASM_LD)`);
    fail(`${cmd} ${args.join(' ')} failed:\n${err.stderr ?? err.message}`);
  }
}

function fail(message) {
  console.error(`build-wasm-kernels: ${message}`);
  process.exit(1);
}

/** Rejects assembly that would place anything in linear memory of its own. */
function checkAssembly(name, asm) {
  const forbidden = [
    [/__stack_pointer/, 'uses the linear-memory stack (an address-taken local or a large array?)'],
    [/^\s*\.section\s+\.(data|rodata|bss|tdata|tbss)/m, 'emits static data'],
    [/__tls_base|__memory_base/, 'uses thread-local or relocated data'],
  ];
  for (const [pattern, problem] of forbidden) if (pattern.test(asm)) fail(`${name} ${problem}`);
}

/** A cursor over a wasm binary that reads unsigned LEB128 integers and bytes. */
class Reader {
  constructor(bytes, at = 0) {
    this.bytes = bytes;
    this.at = at;
  }
  u8() {
    return this.bytes[this.at++];
  }
  u32() {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.u8();
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
  }
  name() {
    const length = this.u32();
    const text = Buffer.from(this.bytes.subarray(this.at, this.at + length)).toString('utf8');
    this.at += length;
    return text;
  }
}

/** The sections of a wasm binary: [{ id, body }]. */
function sections(bytes) {
  const r = new Reader(bytes, 8);
  const out = [];
  while (r.at < bytes.length) {
    const id = r.u8();
    const size = r.u32();
    out.push({ id, body: bytes.subarray(r.at, r.at + size) });
    r.at += size;
  }
  return out;
}

/** Checks a linked binary: imports only env.memory (shared or not), defines no memory, data or start. */
function checkBinary(name, bytes, shared, relaxed) {
  // Node 20 compiles relaxed SIMD only behind a V8 flag (the build runs once, so setting it is harmless here).
  if (relaxed) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  const module = new WebAssembly.Module(bytes);
  const nonFunctions = WebAssembly.Module.exports(module).filter((e) => e.kind !== 'function');
  if (nonFunctions.length > 0) fail(`${name} exports non-functions: ${nonFunctions.map((e) => e.name).join(', ')}`);
  const all = sections(bytes);
  for (const s of all) {
    if (s.id === 5) fail(`${name} defines a memory`);
    if (s.id === 8) fail(`${name} has a start function`);
    if (s.id === 11 || s.id === 12) fail(`${name} has data segments`);
  }
  const imports = all.find((s) => s.id === 2);
  const r = new Reader(imports?.body ?? new Uint8Array([0]));
  const count = r.u32();
  const [moduleName, field, kind] = count === 1 ? [r.name(), r.name(), r.u8()] : [];
  if (count !== 1 || moduleName !== 'env' || field !== 'memory' || kind !== 0x02) {
    fail(`${name} must import exactly env.memory, imports ${JSON.stringify(WebAssembly.Module.imports(module))}`);
  }
  // Memory limits flags: bit 0 = has maximum, bit 1 = shared.
  const isShared = (r.u8() & 0x02) !== 0;
  if (isShared !== shared) fail(`${name} imports a ${isShared ? 'shared' : 'non-shared'} memory, expected the opposite`);
}

function build() {
  const sources = readdirSync(csrc).filter((f) => f.endsWith('.c')).sort();
  if (sources.length === 0) fail(`no C sources in ${csrc}`);
  const work = mkdtempSync(path.join(tmpdir(), 'resnext-wasm-'));
  try {
    const compile = (relaxed) => {
      const flags = relaxed ? [...CFLAGS, '-mrelaxed-simd'] : CFLAGS;
      const objects = [];
      for (const src of sources) {
        const input = path.join(csrc, src);
        const base = path.join(work, src.replace(/\.c$/, '') + (relaxed ? '.relaxed' : ''));
        run(clang, [...flags, '-S', input, '-o', `${base}.s`]);
        checkAssembly(src, readFileSync(`${base}.s`, 'utf8'));
        run(clang, [...flags, '-c', input, '-o', `${base}.o`]);
        objects.push(`${base}.o`);
      }
      return objects;
    };
    const link = (objects, shared, relaxed) => {
      const out = path.join(work, `${shared ? 'shared' : 'plain'}${relaxed ? '-relaxed' : ''}.wasm`);
      const memoryFlags = shared ? ['--shared-memory', `--max-memory=${SHARED_MAX_BYTES}`] : [];
      run(wasmLd, ['--no-entry', '--import-memory', ...memoryFlags, '--strip-all', ...objects, '-o', out]);
      const bytes = readFileSync(out);
      checkBinary(path.basename(out), bytes, shared, relaxed);
      return bytes;
    };
    const simd = compile(false);
    const relaxedSimd = compile(true);
    const plain = link(simd, false, false);
    const shared = link(simd, true, false);
    const plainRelaxed = link(relaxedSimd, false, true);
    const sharedRelaxed = link(relaxedSimd, true, true);
    const digest = createHash('sha256');
    for (const f of readdirSync(csrc).sort()) digest.update(f).update(readFileSync(path.join(csrc, f)));
    const version = run(clang, ['--version']).split('\n')[0].trim();
    return { plain, shared, plainRelaxed, sharedRelaxed, sourcesHash: digest.digest('hex'), version, sources };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A base64 string split into 100-character lines, so the file stays readable: an array joined at
 * load, not a chain of `+` (a binary expression ~700 deep overflows parsers' recursion, ESLint's too).
 */
function base64Literal(bytes) {
  const text = Buffer.from(bytes).toString('base64');
  const lines = text.match(/.{1,100}/g) ?? [''];
  return `[\n${lines.map((line) => `  '${line}',`).join('\n')}\n].join('')`;
}

/**
 * The shared-memory build differs from the plain one only in its import section (the memory's
 * limits flags and maximum): the bytes [at, at + remove) of the plain binary, replaced by `insert`.
 * Shipping that patch instead of a second binary halves the generated module. Fails the build if
 * applying the patch does not give the shared binary byte for byte.
 */
function sharedPatch(name, plain, shared) {
  let prefix = 0;
  while (prefix < plain.length && prefix < shared.length && plain[prefix] === shared[prefix]) prefix++;
  let suffix = 0;
  const room = Math.min(plain.length, shared.length) - prefix;
  while (suffix < room && plain[plain.length - 1 - suffix] === shared[shared.length - 1 - suffix]) suffix++;
  const patch = { at: prefix, remove: plain.length - prefix - suffix, insert: Buffer.from(shared.subarray(prefix, shared.length - suffix)).toString('hex') };
  const rebuilt = Buffer.concat([plain.subarray(0, patch.at), Buffer.from(patch.insert, 'hex'), plain.subarray(patch.at + patch.remove)]);
  if (!rebuilt.equals(Buffer.from(shared))) fail(`${name}: the shared build is not the plain one with one region replaced`);
  if (patch.remove + patch.insert.length / 2 > 64) fail(`${name}: the shared build differs in ${patch.remove} bytes, more than its import section`);
  return patch;
}

function render({ plain, shared, plainRelaxed, sharedRelaxed, sourcesHash, version }) {
  const patch = (p) => `{ at: ${p.at}, remove: ${p.remove}, insert: '${p.insert}' }`;
  return `// GENERATED FILE, do not edit: written by tools/build-wasm-kernels.mjs from packages/layers/csrc/*.c
// (sources sha256 ${sourcesHash}) with ${version}.
// Regenerate with \`node tools/build-wasm-kernels.mjs\`; \`--check\` verifies this file is current.

/** How a shared-memory build differs from its plain twin: bytes [at, at + remove) replaced by \`insert\` (hex). */
export interface SharedMemoryPatch {
  at: number;
  remove: number;
  insert: string;
}

/** The kernel module importing a non-shared \`env.memory\` (tfjs' single-threaded wasm builds), base64. */
export const KERNELS_WASM_BASE64 =
${base64Literal(plain)};

/**
 * The same kernels importing a shared \`env.memory\` (tfjs' threaded wasm build): identical but for
 * the import section's memory limits, so shipped as a patch of {@link KERNELS_WASM_BASE64}.
 */
export const KERNELS_WASM_SHARED_PATCH: SharedMemoryPatch = ${patch(sharedPatch('shared', plain, shared))};

/** {@link KERNELS_WASM_BASE64} built with relaxed SIMD (FMA), base64. */
export const KERNELS_WASM_RELAXED_BASE64 =
${base64Literal(plainRelaxed)};

/** The shared-memory twin of {@link KERNELS_WASM_RELAXED_BASE64}, as a patch of it. */
export const KERNELS_WASM_SHARED_RELAXED_PATCH: SharedMemoryPatch = ${patch(sharedPatch('shared relaxed', plainRelaxed, sharedRelaxed))};
`;
}

const result = build();
const text = render(result);
if (check) {
  let committed = '';
  try {
    committed = readFileSync(output, 'utf8');
  } catch {
    fail(`${path.relative(root, output)} is missing; run node tools/build-wasm-kernels.mjs`);
  }
  if (committed !== text) fail(`${path.relative(root, output)} is stale; run node tools/build-wasm-kernels.mjs and commit it`);
  console.log(`build-wasm-kernels: ${path.relative(root, output)} is current (${result.plain.length} + ${result.shared.length} + ${result.plainRelaxed.length} + ${result.sharedRelaxed.length} bytes of wasm)`);
} else {
  writeFileSync(output, text);
  console.log(`build-wasm-kernels: wrote ${path.relative(root, output)} (${result.plain.length} + ${result.shared.length} + ${result.plainRelaxed.length} + ${result.sharedRelaxed.length} bytes of wasm from ${result.sources.length} sources)`);
}
