#!/usr/bin/env node
// Builds @resnext/layers' native kernels for Node (packages/layers/native/*.cc) into the Node-API
// addon packages/layers/prebuilds/linux-x64/resnext-kernels.node, which is committed and published
// like the generated wasm module, so users and CI need no C++ toolchain. Node-API is ABI-stable:
// one binary serves Node 20, 22 and 24. Only the kernel files are compiled for AVX2 + FMA; the
// addon and the CPU check are plain x86-64, so loading the addon on an older CPU reports
// "unsupported" instead of crashing. Linked against the system's libstdc++ (the one Node itself
// links): a static libstdc++ would pull in symbols of glibc 2.36, a dynamic one needs GLIBCXX_3.4.22
// (GCC 6) and glibc 2.2.5.
//
// Usage:  node tools/build-native-kernels.mjs           (re)builds the addon
//         node tools/build-native-kernels.mjs --check   exits 1 if the committed addon is stale
// Environment: CXX (default g++). The build is reproducible for one compiler version; --check on
// a machine with another compiler reports the difference rather than a stale source.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sources = path.join(root, 'packages/layers/native');
const output = path.join(root, 'packages/layers/prebuilds/linux-x64/resnext-kernels.node');
const cxx = process.env.CXX ?? 'g++';
const check = process.argv.includes('--check');
const headers = path.join(path.dirname(createRequire(import.meta.url).resolve('node-api-headers/package.json')), 'include');

/** Files whose code runs only after the CPU check: the only ones built for AVX2 and FMA. */
const AVX2_FILES = new Set(['group_conv.cc', 'pointwise_gemm.cc']);
const CXXFLAGS = ['-O3', '-std=c++20', '-fPIC', '-fvisibility=hidden', '-fno-exceptions', '-g0', '-Wall', '-Wextra', '-Werror', `-I${headers}`, '-DNAPI_VERSION=8'];

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`build-native-kernels: builds the linux-x64 addon only (this is ${process.platform}-${process.arch})`);
  process.exit(1);
}

const work = mkdtempSync(path.join(tmpdir(), 'resnext-native-'));
try {
  const objects = [];
  for (const file of readdirSync(sources).filter((f) => f.endsWith('.cc')).sort()) {
    const object = path.join(work, file.replace(/\.cc$/, '.o'));
    const arch = AVX2_FILES.has(file) ? ['-mavx2', '-mfma'] : [];
    execFileSync(cxx, [...CXXFLAGS, ...arch, '-c', path.join(sources, file), '-o', object], { stdio: 'inherit' });
    objects.push(object);
  }
  const built = path.join(work, 'resnext-kernels.node');
  execFileSync(cxx, ['-shared', '-s', '-Wl,--build-id=none', '-o', built, ...objects, '-lpthread'], { stdio: 'inherit' });
  const bytes = readFileSync(built);
  if (check) {
    let committed;
    try {
      committed = readFileSync(output);
    } catch {
      committed = undefined;
    }
    if (committed === undefined || !committed.equals(bytes)) {
      console.error(`build-native-kernels: ${path.relative(root, output)} differs from a build of packages/layers/native with ${cxx}; run node tools/build-native-kernels.mjs`);
      process.exit(1);
    }
    console.log(`build-native-kernels: ${path.relative(root, output)} is up to date (${bytes.length} bytes)`);
  } else {
    mkdirSync(path.dirname(output), { recursive: true });
    const temporary = `${output}.tmp`;
    writeFileSync(temporary, bytes);
    renameSync(temporary, output);
    console.log(`build-native-kernels: wrote ${path.relative(root, output)} (${bytes.length} bytes)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
