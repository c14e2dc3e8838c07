// Whether a case's report passes: the typed error it promised, within the time and memory limits.
import { MAX_MB, MAX_MS } from './limits.mjs';

const matches = (pattern, text) => (pattern instanceof RegExp ? pattern.test(text) : text.includes(pattern));

/** `{ ok, reason }` for a case (`expect`) and the runner's report of its run. */
export function judge(expect, report, limits = { maxMs: MAX_MS, maxMb: MAX_MB }) {
  const fail = (reason) => ({ ok: false, reason });
  switch (report.kind) {
    case 'hang':
      return fail(report.phase === 'loading' ? `hang: still loading after ${report.ms} ms, killed` : `hang: run() unsettled after ${report.ms} ms, killed`);
    case 'crash':
      return fail(`crashed (${report.signal ?? `exit code ${report.code}`}) without a report`);
    case 'driver-error':
      return fail(`could not run: ${report.error.name}: ${report.error.message}`);
  }
  if (report.returned) return fail('returned instead of throwing');
  const { name, message } = report.error;
  if (name !== expect.name) return fail(`threw ${name}: ${message} (expected ${expect.name})`);
  if (!matches(expect.message, message)) return fail(`message ${JSON.stringify(message)} does not match ${String(expect.message)}`);
  const over = [];
  if (report.ms > limits.maxMs) over.push(`took ${Math.round(report.ms)} ms (limit ${limits.maxMs})`);
  if (report.mb > limits.maxMb) over.push(`used ${report.mb.toFixed(1)} MB above baseline (limit ${limits.maxMb})`);
  if (over.length > 0) return fail(over.join('; '));
  return { ok: true, reason: `${name}: ${message}` };
}
