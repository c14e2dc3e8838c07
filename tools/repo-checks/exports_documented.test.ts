// The exports check reports exactly the exported names its package guide does not mention,
// through `export *` and type exports, on the main entry and on a subpath of package.json `exports`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { undocumentedExports } from './exports_documented.mjs';

const script = path.join(import.meta.dirname, 'exports_documented.mjs');
const root = mkdtempSync(path.join(tmpdir(), 'exports-documented-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A repository with one package `tiny`: its files under packages/tiny, and docs/tiny.md. */
function write(files: Record<string, string>) {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
}

write({
  'packages/tiny/package.json': JSON.stringify({
    name: 'tiny',
    exports: {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './extra': { types: './dist/extra.d.ts', default: './dist/extra.js' },
      './assets/*': './assets/*',
      './package.json': './package.json',
    },
  }),
  'packages/tiny/src/index.ts': "export * from './parts.js';\nexport type { Shape } from './shape.js';\n",
  'packages/tiny/src/parts.ts': 'export function documented(): number {\n  return 1;\n}\nexport const documentedPart = 2;\n',
  'packages/tiny/src/shape.ts': 'export interface Shape {\n  side: number;\n}\n',
  'packages/tiny/src/extra.ts': 'export const extraHelper = 3;\n',
  // `documentedPart` is there as a word; `Shape` only inside `Shapes`, which does not count.
  'docs/tiny.md': '# tiny\n\n`documented()` and `documentedPart`. Shapes are described elsewhere; `extraHelper`.\n',
});

describe('exports_documented', () => {
  it('reports only the exported names the guide does not mention', () => {
    expect(undocumentedExports(root, ['tiny'])).toEqual([
      { pkg: 'tiny', name: 'Shape', entry: path.join('packages', 'tiny', 'src', 'index.ts'), guide: path.join('docs', 'tiny.md') },
    ]);
  });

  it('checks the subpath entries of package.json exports too', () => {
    write({ 'packages/tiny/src/extra.ts': 'export const extraHelper = 3;\nexport type ExtraOnly = string;\n' });
    const missing: { name: string; entry: string }[] = undocumentedExports(root, ['tiny']);
    expect(missing.map(({ name, entry }) => [name, entry])).toEqual([
      ['Shape', path.join('packages', 'tiny', 'src', 'index.ts')],
      ['ExtraOnly', path.join('packages', 'tiny', 'src', 'extra.ts')],
    ]);
  });

  it('exits 1 naming the package, the name and the guide', () => {
    const run = spawnSync(process.execPath, [script, '--root', root, 'tiny'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('@resnext/tiny: Shape (exported by packages/tiny/src/index.ts) is not in docs/tiny.md');
    expect(run.stderr).toContain('@resnext/tiny: ExtraOnly (exported by packages/tiny/src/extra.ts) is not in docs/tiny.md');
  });

  it('reports nothing once every name is in the guide', () => {
    write({ 'docs/tiny.md': '# tiny\n\n`documented()`, `documentedPart`, `Shape`, `extraHelper`, `ExtraOnly`.\n' });
    expect(undocumentedExports(root, ['tiny'])).toEqual([]);
  });
});
