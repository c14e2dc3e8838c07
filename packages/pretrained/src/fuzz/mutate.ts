/**
 * Deterministic mutations of a valid file, for fuzzing the weight readers: bit flips, byte
 * overwrites with boundary values, truncation, insertion and deletion of runs, and copying one
 * region over another (which scrambles headers and pickles structurally).
 */

/** A small seeded PRNG (mulberry32): the same seed gives the same mutants. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BOUNDARY = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x2e, 0x28, 0x7d, 0x5d, 0x22, 0x3a];

/**
 * One mutant of `input`. `hot` is the length of the structured prefix (a safetensors header or a
 * zip's pickle and directory) where mutations matter most; half of them land there.
 */
export function mutate(input: Uint8Array, random: () => number, hot = input.length): Uint8Array {
  const at = (n = input.length) => Math.floor((random() < 0.5 ? Math.min(hot, n) : n) * random());
  const out = Uint8Array.from(input);
  const kind = Math.floor(random() * 6);
  const count = 1 + Math.floor(random() * 4);
  switch (kind) {
    case 0:
      for (let i = 0; i < count; i++) out[at()]! ^= 1 << Math.floor(random() * 8);
      return out;
    case 1:
      for (let i = 0; i < count; i++) out[at()] = BOUNDARY[Math.floor(random() * BOUNDARY.length)]!;
      return out;
    case 2:
      return out.subarray(0, at());
    case 3: {
      const p = at();
      const run = Uint8Array.from({ length: 1 + Math.floor(random() * 16) }, () => BOUNDARY[Math.floor(random() * BOUNDARY.length)]!);
      const grown = new Uint8Array(out.length + run.length);
      grown.set(out.subarray(0, p));
      grown.set(run, p);
      grown.set(out.subarray(p), p + run.length);
      return grown;
    }
    case 4: {
      const p = at();
      const tail = out.subarray(Math.min(out.length, p + 1 + Math.floor(random() * 16)));
      const shrunk = new Uint8Array(p + tail.length);
      shrunk.set(out.subarray(0, p));
      shrunk.set(tail, p);
      return shrunk;
    }
    default: {
      const from = at();
      const to = at();
      const length = Math.min(1 + Math.floor(random() * 32), out.length - Math.max(from, to));
      if (length > 0) out.copyWithin(to, from, from + length);
      return out;
    }
  }
}
