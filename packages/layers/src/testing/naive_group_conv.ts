/**
 * Test reference: grouped convolution as the textbook nested loop in float64, with its own
 * padding arithmetic (independent of tfjs' conv_util), plus central finite differences.
 */

export type NaivePad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

export interface NaiveConvCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  pad: NaivePad;
  dilations: [number, number];
  groups: number;
}

/** Output size and leading padding along one axis. */
export function axisGeometry(size: number, k: number, stride: number, dilation: number, pad: NaivePad, axis: 1 | 2) {
  const effective = (k - 1) * dilation + 1;
  if (pad === 'valid') return { out: Math.ceil((size - effective + 1) / stride), before: 0 };
  if (pad === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + effective - size, 0);
    return { out, before: Math.floor(total / 2) };
  }
  const [before, after] = pad[axis];
  return { out: Math.floor((size + before + after - effective) / stride) + 1, before };
}

/** y[n,oy,ox,o] = Σ over the group's input channels and taps of x·w, in float64. */
export function naiveGroupConv(x: ArrayLike<number>, w: ArrayLike<number>, c: NaiveConvCase) {
  const [n, h, wd, ci] = c.xShape;
  const [kh, kw, cig, co] = c.filterShape;
  const gy = axisGeometry(h, kh, c.strides[0], c.dilations[0], c.pad, 1);
  const gx = axisGeometry(wd, kw, c.strides[1], c.dilations[1], c.pad, 2);
  const cog = co / c.groups;
  const y = new Float64Array(n * gy.out * gx.out * co);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < gy.out; oy++)
      for (let ox = 0; ox < gx.out; ox++)
        for (let o = 0; o < co; o++) {
          const g = Math.floor(o / cog);
          let sum = 0;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const iy = oy * c.strides[0] - gy.before + i * c.dilations[0];
              const ix = ox * c.strides[1] - gx.before + j * c.dilations[1];
              if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
              for (let q = 0; q < cig; q++) {
                sum += x[((b * h + iy) * wd + ix) * ci + g * cig + q]! * w[((i * kw + j) * cig + q) * co + o]!;
              }
            }
          y[((b * gy.out + oy) * gx.out + ox) * co + o] = sum;
        }
  return { y, shape: [n, gy.out, gx.out, co] as [number, number, number, number] };
}

/**
 * Central finite differences of L = Σ y·r (r a fixed random cotangent) with respect to every
 * element of `param`, in float64: dL/dp ≈ (L(p+ε) − L(p−ε)) / 2ε.
 */
export function finiteDifferences(
  loss: (x: Float64Array, w: Float64Array) => number,
  x: Float64Array,
  w: Float64Array,
  param: 'x' | 'w',
  eps = 1e-4,
): Float64Array {
  const target = param === 'x' ? x : w;
  const grad = new Float64Array(target.length);
  for (let i = 0; i < target.length; i++) {
    const keep = target[i]!;
    target[i] = keep + eps;
    const up = loss(x, w);
    target[i] = keep - eps;
    const down = loss(x, w);
    target[i] = keep;
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}

/** Deterministic pseudo-random numbers in [-1, 1) (mulberry32), so failures reproduce. */
export function randomArray(length: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

