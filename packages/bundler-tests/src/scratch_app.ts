/**
 * The scratch app: the @resnext packages packed as they would be published, installed with the
 * tfjs packages and the three bundlers into a folder under the system's temp dir, next to the
 * app's sources. One install serves every bundler.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository's root. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The browser-facing packages the app installs (recipes and cli are Node-only command-line tools). */
const PACKED = ['layers', 'models', 'pretrained', 'backends'] as const;

/** tfjs packages the app installs: no tfjs-backend-webgpu, so a bundle without it is proven to build. */
const TFJS = ['tfjs-core', 'tfjs-layers', 'tfjs-backend-cpu', 'tfjs-backend-wasm', 'tfjs-backend-webgl'].map((name) => `@tensorflow/${name}@4.22.0`);

/** The bundlers, at the versions the repository itself installed (so npm finds them in its cache). */
const BUNDLERS = ['vite', 'esbuild', 'webpack'];

function installedVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(path.join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** Runs npm with its output captured; a failure carries npm's stderr. */
async function npm(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run('npm', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${stderr}`, { cause: error });
  }
}

/** Packs one workspace package's built files into `into`; returns the tarball's path. */
async function pack(name: string, into: string): Promise<string> {
  const out = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', into], path.join(REPO, 'packages', name));
  const [report] = JSON.parse(out) as [{ filename: string }];
  return path.join(into, report.filename);
}

/**
 * Creates the scratch app: packs the packages, copies the app's sources (app/ in this package)
 * and installs everything. Returns the app's folder.
 */
export async function createScratchApp(): Promise<string> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'resnext-bundler-tests-'));
  const tarballs = path.join(root, 'tarballs');
  mkdirSync(tarballs);
  const app = path.join(root, 'app');
  cpSync(path.join(REPO, 'packages/bundler-tests/app'), app, { recursive: true });
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'resnext-bundler-test-app', private: true, type: 'module' }, null, 2));
  const packed = await Promise.all(PACKED.map((name) => pack(name, tarballs)));
  const bundlers = BUNDLERS.map((name) => `${name}@${installedVersion(name)}`);
  // --ignore-scripts: nothing here needs an install script (sharp, a Node-only dependency, ships prebuilt binaries).
  await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', ...packed, ...TFJS, ...bundlers], app);
  return app;
}
