/**
 * Production builds of the scratch app, one per bundler, each run in its own process from the
 * app's folder (so the bundlers resolve packages exactly as in a user's project). Every build is
 * ES modules for browsers, with no plugins, stubs or polyfills.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The bundlers under test. */
export type Bundler = 'vite' | 'esbuild' | 'webpack';

/** A finished build: the folder to serve and the page to open in it. */
export interface Build {
  bundler: Bundler;
  outDir: string;
  /** The page's path and query, e.g. `/index.html?wasmPaths=/wasm/`. */
  page: string;
  /** What the bundler printed (warnings). */
  log: string;
}

/** The page for bundles that are one ES module, main.js. */
const PAGE = '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script type="module" src="./main.js"></script></body></html>';

async function node(app: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: app, maxBuffer: 64 * 1024 * 1024 });
    return stdout + stderr;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${args.join(' ')} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

async function buildVite(app: string): Promise<Build> {
  const log = await node(app, ['node_modules/vite/bin/vite.js', 'build']);
  return { bundler: 'vite', outDir: path.join(app, 'dist-vite'), page: '/index.html', log };
}

/**
 * esbuild emits no asset for `new URL('…', import.meta.url)`: as documented for esbuild users,
 * the .wasm files of @resnext/backends are copied next to the bundle and named by `wasmPaths`.
 */
async function buildEsbuild(app: string): Promise<Build> {
  const outDir = path.join(app, 'dist-esbuild');
  const log = await node(app, [
    'node_modules/esbuild/bin/esbuild',
    'src/main.js',
    '--bundle',
    '--splitting',
    '--format=esm',
    '--platform=browser',
    '--minify',
    '--log-level=warning',
    `--outdir=${outDir}`,
  ]);
  writeFileSync(path.join(outDir, 'index.html'), PAGE);
  const wasmFiles = path.join(app, 'node_modules/@resnext/backends/wasm-files');
  mkdirSync(path.join(outDir, 'wasm'));
  for (const file of readdirSync(wasmFiles)) copyFileSync(path.join(wasmFiles, file), path.join(outDir, 'wasm', file));
  return { bundler: 'esbuild', outDir, page: '/index.html?wasmPaths=/wasm/', log };
}

/** webpack through its Node API (build-webpack.js); its errors fail the build, its warnings are returned. */
async function buildWebpack(app: string): Promise<Build> {
  const out = await node(app, ['build-webpack.js']);
  const { errors, warnings } = JSON.parse(out) as { errors: string[]; warnings: string[] };
  if (errors.length > 0) throw new Error(`webpack failed:\n${errors.join('\n\n')}`);
  const outDir = path.join(app, 'dist-webpack');
  writeFileSync(path.join(outDir, 'index.html'), PAGE);
  return { bundler: 'webpack', outDir, page: '/index.html', log: warnings.join('\n\n') };
}

/** Builds the app with `bundler` in production mode. */
export function buildApp(app: string, bundler: Bundler): Promise<Build> {
  if (bundler === 'vite') return buildVite(app);
  if (bundler === 'esbuild') return buildEsbuild(app);
  return buildWebpack(app);
}
