// Browser bundlers follow static imports and literal dynamic imports: none of those reachable from
// the public entry point may name a Node built-in (`nodeBuiltins` of @resnext/layers/node-io loads
// them through variables, and the walk follows that entry into the layers package's source).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Workspace entries the walk follows into their source. */
const FOLLOWED: Record<string, string> = { '@resnext/layers/node-io': path.join(here, '../../../layers/src/node_io.ts') };

/** Runtime module specifiers of a source file: static imports/re-exports (not `import type`) and literal dynamic imports. */
function runtimeSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'/gm)) {
    if (m[2] === undefined) found.push(m[4]!);
  }
  for (const m of code.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push(m[1]!);
  return found;
}

async function reachable(entry: string): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (graph.has(file)) continue;
    const specifiers = runtimeSpecifiers(await fs.readFile(file, 'utf8'));
    graph.set(file, specifiers);
    for (const s of specifiers) {
      if (s.startsWith('.')) queue.push(path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')));
      else if (s in FOLLOWED) queue.push(FOLLOWED[s]!);
    }
  }
  return graph;
}

describe('browser safety of the download layer', () => {
  it('reaches no node: module statically or by a literal dynamic import', async () => {
    const graph = await reachable(path.join(here, 'fetch_weights.ts'));
    // The walk sees the Node-only modules too (through the literal import of disk_store.js).
    expect([...graph.keys()].map((f) => path.basename(f))).toEqual(expect.arrayContaining(['disk_store.ts', 'node_download.ts', 'file_lock.ts', 'response_store.ts', 'node_builtins.ts', 'atomic_write.ts']));
    const offenders = [...graph].flatMap(([file, specifiers]) => specifiers.filter((s) => !s.startsWith('.') && !(s in FOLLOWED)).map((s) => `${path.basename(file)} → ${s}`));
    expect(offenders).toEqual([]);
  });

  it('recognises the import forms it checks', () => {
    const sample = `import type * as A from 'node:fs';\nimport { x } from 'node:path';\nexport { y } from './y.js';\nconst m = await import('./z.js');\nimport(/* webpackIgnore: true */ SPEC);`;
    expect(runtimeSpecifiers(sample)).toEqual(['node:path', './y.js', './z.js']);
  });
});
