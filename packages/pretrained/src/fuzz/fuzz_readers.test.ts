import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fuzzReaders } from './fuzz_readers.js';

// A short run by default (CI); `FUZZ_CASES=100000 FUZZ_SEED=7 npx vitest run src/fuzz` for a long
// local run (tools/fuzz-readers.sh).
const CASES = Number(process.env['FUZZ_CASES'] ?? 1500);
const SEED = Number(process.env['FUZZ_SEED'] ?? 42);

describe('fuzzing the weight readers', () => {
  it(`rejects or reads every mutant of valid files (${CASES} per reader and kind: bytes, structure), never crashes or hangs`, () => {
    const fixture = (name: string) => readFileSync(new URL(`../../../../fixtures/torchvision/${name}`, import.meta.url));
    const report = fuzzReaders({ safetensors: fixture('tiny_resnext.safetensors'), pth: fixture('tiny_resnext.pth') }, CASES, SEED);
    console.log(`fuzz: ${JSON.stringify({ ...report, crashes: report.crashes.length })}`);
    expect(report.crashes).toEqual([]);
    expect(report.rejected).toBeGreaterThan(report.cases / 4);
    for (const kind of ['safetensors', 'pth', 'safetensors-structure', 'pth-structure']) expect(report.rejectedByKind[kind], kind).toBeGreaterThan(CASES / 4);
    expect(report.slowestMs).toBeLessThan(1000);
  });
});
