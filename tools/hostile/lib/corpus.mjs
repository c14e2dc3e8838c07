// Runs a whole corpus directory: discovery, one child per case (a few at a time), judgement, lines.
import { discoverCases } from './discover.mjs';
import { judge } from './judge.mjs';
import { runCase } from './run_case.mjs';

/**
 * @typedef {{ id: string, file: string, ok: boolean, ms?: number, mb?: number, reason: string, output?: string }} CaseResult
 */

/** @param {string} text */
const oneLine = (text) => text.replace(/\s+/g, ' ').trim();

/**
 * The line printed for a result: status, id, run() time, memory above baseline, and what happened.
 * @param {CaseResult} r
 * @param {number} [idWidth]
 */
export function formatResult(r, idWidth = 28) {
  const ms = r.ms === undefined ? '-' : String(Math.round(r.ms));
  const mb = r.mb === undefined ? '-' : r.mb.toFixed(1);
  const detail = oneLine(r.reason).slice(0, 160);
  return `${r.ok ? 'ok  ' : 'FAIL'} ${r.id.padEnd(idWidth)} ${ms.padStart(6)} ms ${mb.padStart(7)} MB  ${detail}`;
}

/**
 * Runs every case under `dir` (`jobs` children at a time, default 2) and returns one result per
 * case and per discovery problem — `{ id, file, ok, ms?, mb?, reason, output? }` — with the
 * totals and the helper modules found. `only`: the case files to run (names), default all.
 * `onResult` sees each result as it comes.
 * @param {string} dir
 * @param {{ jobs?: number, runTimeoutMs?: number, only?: string[], onResult?: (result: CaseResult) => void }} [options]
 * @returns {Promise<{ results: CaseResult[], cases: number, helpers: string[], failed: number, wallMs: number }>}
 */
export async function runCorpus(dir, { jobs = 2, runTimeoutMs, only, onResult = () => {} } = {}) {
  const started = performance.now();
  const { cases, problems, helpers } = await discoverCases(dir, { only });
  /** @type {CaseResult[]} */
  const results = problems.map((p) => ({ id: p.id, file: p.file, ok: false, reason: p.problem }));
  results.forEach((r) => onResult(r));
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
      const report = await runCase(c, runTimeoutMs === undefined ? {} : { runTimeoutMs });
      const verdict = judge(c.expect, report);
      const result = { id: c.id, file: c.file, ok: verdict.ok, ms: report.ms, mb: report.mb, reason: verdict.reason, ...(verdict.ok ? {} : { output: report.output }) };
      results.push(result);
      onResult(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  const failed = results.filter((r) => !r.ok).length;
  return { results, cases: cases.length, helpers, failed, wallMs: performance.now() - started };
}
