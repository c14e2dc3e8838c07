#!/usr/bin/env node
// Copies tfjs-backend-wasm's three .wasm binaries into this package's wasm-files/, from the exact
// tfjs-backend-wasm this workspace builds against (see WASM_FILES_VERSION). Browser
// bundles reach them through `new URL('../../wasm-files/<name>', import.meta.url)` (see
// src/wasm/browser_files.ts), which Vite and webpack turn into emitted assets on their own.
/* global console -- a Node build script */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(packageDir, 'package.json'));
const wasmPackageJson = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
const { version } = JSON.parse(readFileSync(wasmPackageJson, 'utf8'));
const from = path.join(path.dirname(wasmPackageJson), 'dist');
const to = path.join(packageDir, 'wasm-files');
const FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

// The runtime compares the user's tfjs-backend-wasm with the version these copies come from
// (WASM_FILES_VERSION): a binary must match its glue exactly.
const declared = /WASM_FILES_VERSION = '([^']+)'/.exec(readFileSync(path.join(packageDir, 'src/wasm/browser_files.ts'), 'utf8'))?.[1];
if (declared !== version) {
  throw new Error(`src/wasm/browser_files.ts declares WASM_FILES_VERSION ${declared}, but the installed @tensorflow/tfjs-backend-wasm is ${version}: update the constant`);
}

rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
for (const file of FILES) copyFileSync(path.join(from, file), path.join(to, file));
console.log(`wasm-files: ${FILES.length} binaries of @tensorflow/tfjs-backend-wasm ${version}`);
