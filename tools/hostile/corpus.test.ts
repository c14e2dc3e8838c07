// The hostile-input corpus (cases/*.mjs): every case in its own process must throw the typed
// error it names within 2 s and 200 MB above its baseline. One test per case, so a failure names it.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatResult, runCorpus } from './lib/corpus.mjs';
import { discoverCases } from './lib/discover.mjs';

const CASES = fileURLToPath(new URL('cases/', import.meta.url));
const { cases, problems } = await discoverCases(CASES);
let results: Awaited<ReturnType<typeof runCorpus>>['results'] = [];

beforeAll(async () => {
  ({ results } = await runCorpus(CASES, { jobs: 2, onResult: (r) => console.log(formatResult(r)) }));
});

describe('hostile corpus', () => {
  it('has cases, and every case file can be read', () => {
    expect(cases.length).toBeGreaterThan(0);
    expect(problems.map((p) => `${p.id}: ${p.problem}`)).toEqual([]);
  });

  for (const c of cases) {
    it(`${c.id}: ${c.about}`, () => {
      const r = results.find((x) => x.id === c.id && x.file === c.file);
      expect(r, 'no result').toBeDefined();
      expect(r!.ok, `${formatResult(r!)}${r!.output ? `\n${r!.output.trim()}` : ''}`).toBe(true);
    });
  }
});
