#!/usr/bin/env node
// Docs as tests: every TypeScript block of README.md, docs/*.md and packages/*/README.md is
// type-checked in strict mode against the built packages; `ts run` blocks run in Node and
// `ts browser` blocks in headless Chromium. Prints what was checked, run and excluded, and why.
//
//   node tools/docs-test/main.mjs                 everything
//   node tools/docs-test/main.mjs --node          type-check, then run the Node blocks (Nx target docs-test:test)
//   node tools/docs-test/main.mjs --browser       run the browser blocks (Nx target docs-test:test-browser)
//   node tools/docs-test/main.mjs --check         type-check only
//   node tools/docs-test/main.mjs docs/layers.md  only these files (with any of the above)
//   --verbose                                     print what every run block printed, not only failing ones
import { rmSync } from 'node:fs';
import path from 'node:path';
import { docFiles, extractAll } from './extract.mjs';
import { ROOT, WORK_DIR, where, writeSnippets } from './snippet_files.mjs';
import { typecheck } from './typecheck.mjs';
import { runNode } from './run_node.mjs';

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const verbose = flags.delete('--verbose');
const unknown = [...flags].filter((f) => !['--node', '--browser', '--check'].includes(f));
if (unknown.length > 0) {
  console.error(`docs-test: unknown option ${unknown.join(', ')}`);
  process.exit(2);
}
const all = flags.size === 0;
const steps = {
  check: all || flags.has('--check') || flags.has('--node'),
  node: all || flags.has('--node'),
  browser: all || flags.has('--browser'),
};
const files = args.filter((a) => !a.startsWith('--')).map((f) => path.relative(ROOT, path.resolve(f)));

const started = performance.now();
const blocks = extractAll(ROOT, files.length > 0 ? files : docFiles(ROOT));
const typescript = blocks.filter((b) => b.typescript);
const excluded = typescript.filter((b) => b.mode === 'excluded');
const failures = [];

for (const block of typescript) {
  for (const error of block.errors) failures.push(`${where(block)}: fence: ${error}`);
}
const written = writeSnippets(typescript, path.join(WORK_DIR, 'snippets'));
const count = (mode) => typescript.filter((b) => b.mode === mode).length;
const summary = [];

if (steps.check) {
  const errors = typecheck(written);
  const failed = new Set(errors.map((e) => e.block));
  for (const error of errors) failures.push(error.text);
  summary.push(`${written.size} type-checked (${failed.size} with errors${errors.some((e) => e.block === undefined) ? ', and errors outside the blocks' : ''})`);
  console.log(`docs-test: type-checked ${written.size} blocks: ${errors.length} errors`);
}

if (steps.node) {
  const results = await runNode(written, {
    concurrency: Number(process.env['DOCS_TEST_CONCURRENCY'] ?? 2),
    onResult: (r) => {
      console.log(`docs-test: ${r.ok ? 'ok  ' : 'FAIL'} ${where(r.block)} in Node (${r.seconds.toFixed(1)} s)${r.ok ? '' : `: ${r.problem}`}`);
      if (verbose) console.log(r.output.trimEnd().replace(/^/gm, '    '));
      if (!r.ok) failures.push(`${where(r.block)} in Node ${r.problem}:\n${r.output.trimEnd().replace(/^/gm, '    ')}`);
    },
  });
  summary.push(`${results.length} run in Node (${results.filter((r) => !r.ok).length} failed)`);
}

if (steps.browser) {
  // Loaded only when needed: Vite and Playwright take a while to import.
  const { runBrowser } = await import('./run_browser.mjs');
  const results = await runBrowser(written, {
    onResult: (r) => {
      console.log(`docs-test: ${r.ok ? 'ok  ' : 'FAIL'} ${where(r.block)} in Chromium (${r.seconds.toFixed(1)} s)${r.ok ? '' : `: ${r.problem}`}`);
      if (verbose) console.log(r.output.trimEnd().replace(/^/gm, '    '));
      if (!r.ok) failures.push(`${where(r.block)} in Chromium: ${r.problem}${r.output ? `\n${r.output.trimEnd().replace(/^/gm, '    ')}` : ''}`);
    },
  });
  summary.push(`${results.length} run in Chromium (${results.filter((r) => !r.ok).length} failed)`);
}

const otherCounts = new Map();
for (const b of blocks.filter((b) => !b.typescript)) otherCounts.set(b.lang || 'no language', (otherCounts.get(b.lang || 'no language') ?? 0) + 1);
const others = [...otherCounts].map(([lang, n]) => `${lang} ${n}`).join(', ');
console.log(`\ndocs-test: ${typescript.length} TypeScript blocks in ${new Set(blocks.map((b) => b.file)).size} files ` +
  `(${count('check')} type-check only, ${count('node')} Node, ${count('browser')} browser, ${excluded.length} excluded)`);
if (summary.length > 0) console.log(`docs-test: ${summary.join('; ')}`);
for (const block of excluded) console.log(`docs-test: excluded ${where(block)}: ${block.reason}`);
console.log(`docs-test: other fences, not checked: ${others || 'none'}`);
if (failures.length > 0) {
  console.error(`\ndocs-test: ${failures.length} failure(s):\n${failures.map((f) => `  ${f}`).join('\n')}`);
}
if (failures.length === 0 && process.env['DOCS_TEST_KEEP'] === undefined) rmSync(WORK_DIR, { recursive: true, force: true });
else console.log(`docs-test: the blocks as files are in ${path.relative(process.cwd(), WORK_DIR)}`);
console.log(`docs-test: ${failures.length === 0 ? 'passed' : 'FAILED'} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(failures.length === 0 ? 0 : 1);
