// The docs test rejects what is wrong in a block (type errors, throws, hangs, bad fences, page
// errors), resolves @resnext/* to the built packages, and counts what it did.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs module of this tool, without declarations
import { extractBlocks, parseFenceOptions } from './extract.mjs';

interface Block {
  line: number;
  lang: string;
  code: string;
  typescript: boolean;
  mode?: string;
  reason?: string;
  fileName?: string;
  errors?: string[];
}
const extract = extractBlocks as (markdown: string, file: string) => Block[];
const fence = parseFenceOptions as (rest: string) => Omit<Block, 'line' | 'lang' | 'code' | 'typescript'>;

describe('fences', () => {
  it('reads the mode, a reason, a file name and a timeout', () => {
    expect(fence('')).toMatchObject({ mode: 'check', errors: [] });
    expect(fence(' run')).toMatchObject({ mode: 'node', errors: [] });
    expect(fence('browser timeout=30')).toMatchObject({ mode: 'browser', timeoutSeconds: 30, errors: [] });
    expect(fence('no-check — a fragment of an options object')).toMatchObject({ mode: 'excluded', reason: 'a fragment of an options object', errors: [] });
    expect(fence('file=classifier.worker.ts')).toMatchObject({ mode: 'check', fileName: 'classifier.worker.ts', errors: [] });
  });

  it('refuses what it does not know rather than ignoring it', () => {
    expect(fence('runn').errors).toEqual([expect.stringMatching(/unknown fence word "runn"/)]);
    expect(fence('no-check').errors).toEqual(['"no-check" needs a reason after it']);
    expect(fence('run browser').errors).toEqual(['"browser" after "node"']);
    expect(fence('timeout=soon').errors).toEqual([expect.stringMatching(/bad timeout/)]);
    expect(fence('run file=helper.ts').errors).toEqual([expect.stringMatching(/not run in Node/)]);
  });

  it('finds blocks with their lines, indented ones de-indented, longer fences closing shorter ones', () => {
    const blocks = extract(['text', '```ts run', 'a();', '````', '', '- item', '  ```typescript', '  b();', '    c();', '  ```', '```sh', 'ls', '```'].join('\n'), 'x.md');
    expect(blocks.map((b) => [b.line, b.lang, b.typescript, b.mode, b.code])).toEqual([
      [2, 'ts', true, 'node', 'a();\n'],
      [7, 'typescript', true, 'check', 'b();\n  c();\n'],
      [11, 'sh', false, undefined, 'ls\n'],
    ]);
  });
});

describe('a run over blocks that are wrong', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const file = 'tools/docs-test/fixtures/failing.md';
  let run: SpawnSyncReturns<string>;
  let output = '';
  beforeAll(() => {
    run = spawnSync(process.execPath, ['tools/docs-test/main.mjs', '--verbose', file], { cwd: root, encoding: 'utf8', timeout: 280_000 });
    output = `${run.stdout}\n${run.stderr}`;
  });
  // A failed run keeps its files for a look; this one failed on purpose.
  afterAll(() => rmSync(path.join(import.meta.dirname, '.work', `run-${run.pid}`), { recursive: true, force: true }));

  it('fails, and counts what it checked, ran and excluded', () => {
    expect(run.status).toBe(1);
    expect(output).toContain(`docs-test: 9 TypeScript blocks in 1 files (2 type-check only, 3 Node, 2 browser, 2 excluded)`);
    expect(output).toMatch(/docs-test: 7 type-checked \(\d+ with errors\); 3 run in Node \(2 failed\); 2 run in Chromium \(2 failed\)/);
    expect(output).toContain(`docs-test: excluded ${file}:34: an indented block excluded with a reason`);
    expect(output).toContain('docs-test: other fences, not checked: sh 1');
  });

  it('runs a block against the built packages', () => {
    expect(output).toMatch(/docs-test: ok {3}tools\/docs-test\/fixtures\/failing\.md:5 in Node/);
    expect(output).toMatch(/resolved file:\/\/\S+\/packages\/models\/dist\/index\.js function/);
  });

  it('names each failure by its markdown line', () => {
    expect(output).toMatch(new RegExp(`${file}:15:10 error TS2305: Module '"@resnext/pretrained"' has no exported member 'noSuchExport'`));
    expect(output).toContain(`${file}:18 in Node exited with 1`);
    expect(output).toContain('thrown by a run block');
    expect(output).toContain(`${file}:22 in Node did not finish within 3 s`);
    expect(output).toContain(`${file}:26: fence: "no-check" needs a reason after it`);
    expect(output).toContain(`${file}:30: fence: unknown fence word "runn"`);
    expect(output).toMatch(new RegExp(`${file}:38 in Chromium: the page logged errors: logged by a browser block`));
    expect(output).toMatch(new RegExp(`${file}:42 in Chromium: Error: thrown by a browser block`));
  });
});
