import { WeightsFormatError } from '../errors.js';
import { readPytorchCheckpoint } from '../formats/pytorch_checkpoint.js';
import { readSafetensors } from '../formats/safetensors.js';
import { mutate, prng } from './mutate.js';
import { mutatePthPickle, mutateSafetensorsHeader } from './mutate_structure.js';

/** Outcome of a fuzz run. */
export interface FuzzReport {
  cases: number;
  /** Mutants the reader still accepted (mutations that kept the file valid, e.g. in tensor data). */
  accepted: number;
  /** Mutants rejected with WeightsFormatError, as they should be. */
  rejected: number;
  /** Anything else thrown: crashes. Each entry names the case. */
  crashes: string[];
  /** The slowest single case, in ms. */
  slowestMs: number;
  /** Rejected mutants per reader and kind (`pth-structure`, …): each kind must reach the checks. */
  rejectedByKind: Record<string, number>;
}

/**
 * Feeds `cases` mutants of each valid file to its reader, twice: byte-level mutants (bit flips,
 * truncation, …) and structural ones (shapes, dims, dtypes, offsets, storage sizes and storage
 * references replaced with boundary values, the file reassembled around them). Every mutant must
 * either parse or be rejected with a {@link WeightsFormatError}; any other exception is a crash.
 * Also records the slowest case (the readers must never hang).
 */
export function fuzzReaders(files: { safetensors: Uint8Array; pth: Uint8Array }, cases: number, seed = 1): FuzzReport {
  const report: FuzzReport = { cases: 0, accepted: 0, rejected: 0, crashes: [], slowestMs: 0, rejectedByKind: {} };
  const readSt = (b: Uint8Array) => readSafetensors(b, 'fuzz.safetensors');
  const readPth = (b: Uint8Array) => readPytorchCheckpoint(b, 'fuzz.pth');
  const stHot = 8 + Number(new DataView(files.safetensors.buffer, files.safetensors.byteOffset).getBigUint64(0, true));
  const targets: { name: string; read: (b: Uint8Array) => unknown; mutant: (random: () => number) => Uint8Array }[] = [
    { name: 'safetensors', read: readSt, mutant: (random) => mutate(files.safetensors, random, stHot) },
    { name: 'pth', read: readPth, mutant: (random) => mutate(files.pth, random, files.pth.length) },
    { name: 'safetensors-structure', read: readSt, mutant: (random) => mutateSafetensorsHeader(files.safetensors, random) },
    { name: 'pth-structure', read: readPth, mutant: (random) => mutatePthPickle(files.pth, random) },
  ];
  for (const target of targets) {
    const random = prng(seed * 7919 + target.name.length);
    for (let i = 0; i < cases; i++) {
      const mutant = target.mutant(random);
      const t0 = performance.now();
      try {
        target.read(mutant);
        report.accepted++;
      } catch (err) {
        if (err instanceof WeightsFormatError) {
          report.rejected++;
          report.rejectedByKind[target.name] = (report.rejectedByKind[target.name] ?? 0) + 1;
        }
        else report.crashes.push(`${target.name} case ${i} (seed ${seed}): ${(err as Error).name}: ${(err as Error).message}`);
      }
      report.slowestMs = Math.max(report.slowestMs, performance.now() - t0);
      report.cases++;
    }
  }
  return report;
}
