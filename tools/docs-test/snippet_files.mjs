// Writes each TypeScript block to a file of its own under .work/, inside the repository, so that
// `@resnext/...` resolves as in a user's project: through node_modules to the packages' dist.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TOOL_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(TOOL_DIR, '../..');
/**
 * This run's folder: one per process, so that two runs at once (two people's docs, say) never
 * overwrite each other's files. Removed at the end unless the run failed or DOCS_TEST_KEEP is set.
 */
export const WORK_DIR = path.join(TOOL_DIR, '.work', `run-${process.pid}`);

/** `docs/layers.md` → `docs-layers`: one folder per markdown file. */
export function slug(file) {
  return file.replace(/\.md$/i, '').replace(/[^\w-]+/g, '-');
}

/**
 * Writes the blocks that are checked (all but `no-check`) to `<dir>/<slug>/…` and returns their
 * absolute paths. `export {}` makes every block a module: top-level await is allowed and no two
 * blocks share a global scope.
 */
export function writeSnippets(blocks, dir) {
  rmSync(dir, { recursive: true, force: true });
  const written = new Map();
  for (const block of blocks) {
    if (block.mode === 'excluded') continue;
    const file = path.join(dir, slug(block.file), block.fileName ?? `L${block.line}.ts`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${block.code}export {};\n`);
    written.set(file, block);
  }
  return written;
}

/** `docs/layers.md:17` — how a block is named in every message. */
export const where = (block) => `${block.file}:${block.line}`;
