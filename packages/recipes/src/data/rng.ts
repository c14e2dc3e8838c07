/**
 * A small, fast, portable PRNG (sfc32 seeded through splitmix32), so a recipe's seed fixes the data
 * order and every augmentation on any platform. Streams are derived statelessly from a seed and
 * integer keys: a resumed run recomputes exactly the randomness an uninterrupted one would use.
 */

/** splitmix32: decorrelates nearby seeds. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seeded pseudo-random stream. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spareNormal: number | undefined;

  /** A stream from a 32-bit integer seed. */
  constructor(seed: number) {
    const s = seed >>> 0;
    this.#a = splitmix32(s);
    this.#b = splitmix32(this.#a ^ 0x6a09e667);
    this.#c = splitmix32(this.#b ^ 0xbb67ae85);
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.#next();
  }

  #next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  uniform(): number {
    return this.#next() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Rng.int needs a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, the second value kept for the next call). */
  normal(): number {
    if (this.#spareNormal !== undefined) {
      const v = this.#spareNormal;
      this.#spareNormal = undefined;
      return v;
    }
    const u = 1 - this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.uniform();
    this.#spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** A Beta(alpha, alpha) sample (mixup/cutmix mixing weights), via two Gamma draws. */
  beta(alpha: number): number {
    const x = this.#gamma(alpha);
    const y = this.#gamma(alpha);
    return x + y === 0 ? 0.5 : x / (x + y);
  }

  // Marsaglia–Tsang; alpha < 1 through the boost gamma(a) = gamma(a + 1) · U^(1/a).
  #gamma(alpha: number): number {
    if (!(alpha > 0)) throw new RangeError(`Gamma/Beta shape must be > 0, got ${alpha}`);
    if (alpha < 1) return this.#gamma(alpha + 1) * Math.pow(1 - this.uniform(), 1 / alpha);
    const d = alpha - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.uniform();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T>(a: T[]): T[];
  shuffle<A extends { length: number; [i: number]: number }>(a: A): A;
  shuffle(a: { length: number; [i: number]: unknown }): unknown {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** The full state, for checkpoints. */
  getState(): number[] {
    return [this.#a >>> 0, this.#b >>> 0, this.#c >>> 0, this.#d >>> 0, this.#spareNormal ?? Number.NaN];
  }

  /** Restores a state from {@link getState}. */
  setState(state: readonly number[]): void {
    if (state.length !== 5 || state.slice(0, 4).some((v) => !Number.isInteger(v))) throw new RangeError('Rng.setState: not a state from getState()');
    this.#a = state[0]! | 0;
    this.#b = state[1]! | 0;
    this.#c = state[2]! | 0;
    this.#d = state[3]! | 0;
    this.#spareNormal = Number.isNaN(state[4]) ? undefined : state[4];
  }
}

/** An independent stream for (seed, ...keys), e.g. `rngFor(seed, epoch)` or `rngFor(seed, epoch, sample)`. */
export function rngFor(seed: number, ...keys: number[]): Rng {
  let h = splitmix32(seed >>> 0);
  for (const k of keys) h = splitmix32((h ^ Math.imul(k >>> 0, 0x27d4eb2d)) >>> 0);
  return new Rng(h);
}
