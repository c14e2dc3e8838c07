#!/usr/bin/env node
// The hostile-input corpus runner: every case of cases/*.mjs in its own Node process, each within
// 2 s and 200 MB above its baseline, each throwing the typed error it names. One line per case,
// then the totals; exit code 1 when any case fails.
// Usage: node run.mjs [--cases <dir>] [--jobs <n>] [--file <name.mjs>]...
//   (default: every file of tools/hostile/cases, 2 jobs)
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatResult, runCorpus } from './lib/corpus.mjs';
import { MAX_MB, MAX_MS } from './lib/limits.mjs';

const { values } = parseArgs({ options: { cases: { type: 'string' }, jobs: { type: 'string', default: '2' }, file: { type: 'string', multiple: true } } });
const dir = path.resolve(values.cases ?? fileURLToPath(new URL('cases/', import.meta.url)));
const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1) {
  process.stderr.write(`run.mjs: --jobs must be a positive integer, got ${values.jobs}\n`);
  process.exit(2);
}

console.log(`hostile corpus ${dir} (limits: ${MAX_MS} ms, ${MAX_MB} MB above baseline per case)`);
const { results, helpers, failed, wallMs } = await runCorpus(dir, { jobs, only: values.file, onResult: (r) => console.log(formatResult(r)) });
if (helpers.length > 0) console.log(`helper modules (no cases): ${helpers.map((h) => path.basename(h)).join(', ')}`);
for (const r of results.filter((r) => !r.ok && r.output)) console.log(`\n--- output of ${r.id} ---\n${r.output.trimEnd()}`);
const ms = results.map((r) => r.ms ?? 0);
const mb = results.map((r) => r.mb ?? 0);
console.log(
  `\n${results.length} cases: ${results.length - failed} ok, ${failed} failed; ` +
    `run() time total ${Math.round(ms.reduce((a, b) => a + b, 0))} ms, max ${Math.round(Math.max(0, ...ms))} ms; ` +
    `max memory ${Math.max(0, ...mb).toFixed(1)} MB; wall ${(wallMs / 1000).toFixed(1)} s`,
);
process.exitCode = failed > 0 ? 1 : 0;
