/*
 * Training-mode batch normalization over the channels of an NHWC tensor, seen as m rows of c
 * channels (m = n·h·w): the forward in two passes over x (statistics, then y = x·scale + shift)
 * and the backward in two passes over (x, dy) (two channel sums, then one fused multiply-add per
 * element), where tfjs' stock graph (moments, batchNorm and their gradients) makes a dozen passes
 * and tiles every per-channel vector to the full tensor.
 *
 * Channel sums run over blocks of rows in float32 SIMD registers (4 vectors = 16 channels at a
 * time), each block's sum added to float64 totals, so long reductions keep float64 accuracy.
 * The variance is the mean of squared deviations from a per-channel shift (the first row), which
 * avoids the cancellation of E[x²] − E[x]² when |mean| ≫ std. For the kernel threads the rows
 * are cut into parts fixed by the shape (batch_norm_train_part_rows), each summed into float64
 * partials of its own, which the statistics add in part order; the element-wise second pass is
 * split by rows. Like the other kernels this unit owns no memory: per-channel vectors live in
 * caller-provided buffers.
 */
#include "simd.h"

/* Rows summed in float32 before the block total is added to the float64 one. */
#define BLOCK_ROWS 64

/*
 * Per-channel sums over m rows of `a` (and of a·b when b is non-null, else of a²), each taken
 * relative to `shift_a` / `shift_b` (may be null: no shift): s1 = Σ(a − sa), s2 = Σ(a − sa)(b − sb)
 * (or Σ(a − sa)²), for channels [c0, c0 + 4·V) — V vectors of 4 channels.
 */
#define CHANNEL_SUMS(V)                                                                                            \
  INLINE void channel_sums_##V(const float *a, const float *b, const float *shift_a, const float *shift_b, int m, \
                               int c, int c0, double *s1, double *s2) {                                           \
    v128_t sa[V], sb[V];                                                                                           \
    v128_t d1l[V], d1h[V], d2l[V], d2h[V];                                                                                     \
    UNROLL for (int v = 0; v < V; v++) {                                                                           \
      sa[v] = shift_a ? wasm_v128_load(shift_a + c0 + 4 * v) : wasm_f32x4_splat(0.0f);                             \
      sb[v] = shift_b ? wasm_v128_load(shift_b + c0 + 4 * v) : wasm_f32x4_splat(0.0f);                             \
      d1l[v] = d1h[v] = d2l[v] = d2h[v] = wasm_f64x2_splat(0.0);                                           \
    }                                                                                                              \
    for (int r0 = 0; r0 < m; r0 += BLOCK_ROWS) {                                                                   \
      int r1 = min_i(m, r0 + BLOCK_ROWS);                                                                          \
      v128_t f1[V], f2[V];                                                                                         \
      UNROLL for (int v = 0; v < V; v++) f1[v] = f2[v] = wasm_f32x4_splat(0.0f);                                   \
      for (int r = r0; r < r1; r++) {                                                                              \
        const float *pa = a + (long)r * c + c0;                                                                    \
        const float *pb = b ? b + (long)r * c + c0 : pa;                                                           \
        UNROLL for (int v = 0; v < V; v++) {                                                                       \
          v128_t x = wasm_f32x4_sub(wasm_v128_load(pa + 4 * v), sa[v]);                                            \
          v128_t y = b ? wasm_f32x4_sub(wasm_v128_load(pb + 4 * v), sb[v]) : x;                                    \
          f1[v] = wasm_f32x4_add(f1[v], x);                                                                        \
          f2[v] = wasm_f32x4_add(f2[v], wasm_f32x4_mul(x, y));                                                     \
        }                                                                                                          \
      }                                                                                                            \
      UNROLL for (int v = 0; v < V; v++) {                                                                         \
        d1l[v] = wasm_f64x2_add(d1l[v], wasm_f64x2_promote_low_f32x4(f1[v]));                                  \
        d1h[v] = wasm_f64x2_add(d1h[v], wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(f1[v], f1[v], 2, 3, 0, 1))); \
        d2l[v] = wasm_f64x2_add(d2l[v], wasm_f64x2_promote_low_f32x4(f2[v]));                                  \
        d2h[v] = wasm_f64x2_add(d2h[v], wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(f2[v], f2[v], 2, 3, 0, 1))); \
      }                                                                                                            \
    }                                                                                                              \
    UNROLL for (int v = 0; v < V; v++) {                                                                           \
      wasm_v128_store(s1 + c0 + 4 * v, d1l[v]);                                                                  \
      wasm_v128_store(s1 + c0 + 4 * v + 2, d1h[v]);                                                              \
      wasm_v128_store(s2 + c0 + 4 * v, d2l[v]);                                                                  \
      wasm_v128_store(s2 + c0 + 4 * v + 2, d2h[v]);                                                              \
    }                                                                                                              \
  }
CHANNEL_SUMS(4)
CHANNEL_SUMS(1)

/* The sums for every channel; a channel count that is not a multiple of 4 takes the scalar tail. */
INLINE void all_channel_sums(const float *a, const float *b, const float *shift_a, const float *shift_b, int m, int c,
                             double *s1, double *s2) {
  int c0 = 0;
  for (; c0 + 16 <= c; c0 += 16) channel_sums_4(a, b, shift_a, shift_b, m, c, c0, s1, s2);
  for (; c0 + 4 <= c; c0 += 4) channel_sums_1(a, b, shift_a, shift_b, m, c, c0, s1, s2);
  for (; c0 < c; c0++) {
    float ka = shift_a ? shift_a[c0] : 0.0f, kb = shift_b ? shift_b[c0] : 0.0f;
    double t1 = 0, t2 = 0;
    for (int r = 0; r < m; r++) {
      float x = a[(long)r * c + c0] - ka;
      float y = b ? b[(long)r * c + c0] - kb : x;
      t1 += x;
      t2 += (double)x * y;
    }
    s1[c0] = t1;
    s2[c0] = t2;
  }
}

/* out[r, ch] = a[r, ch]·p[ch] + (b ? (b[r, ch] − sb[ch])·q[ch] : 0) + k[ch] over m rows of c channels. */
INLINE void affine_rows(const float *a, const float *b, const float *sb, const float *p, const float *q, const float *k,
                        float *out, int m, int c) {
  for (int r = 0; r < m; r++) {
    const float *pa = a + (long)r * c;
    const float *pb = b ? b + (long)r * c : pa;
    float *po = out + (long)r * c;
    int ch = 0;
    for (; ch + 4 <= c; ch += 4) {
      v128_t y = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(pa + ch), wasm_v128_load(p + ch)), wasm_v128_load(k + ch));
      if (b) {
        v128_t centered = wasm_f32x4_sub(wasm_v128_load(pb + ch), wasm_v128_load(sb + ch));
        y = wasm_f32x4_add(y, wasm_f32x4_mul(centered, wasm_v128_load(q + ch)));
      }
      wasm_v128_store(po + ch, y);
    }
    for (; ch < c; ch++) po[ch] = pa[ch] * p[ch] + (b ? (pb[ch] - sb[ch]) * q[ch] : 0.0f) + k[ch];
  }
}

/* Most parts a channel sum is cut into: enough for 2, 3 or 4 threads to share evenly. */
#define BN_MAX_PARTS 12
/* Elements per part at least, so that a part outweighs the pool's hand-off and its 2c partial sums. */
#define BN_MIN_PART_ELEMENTS (32 * 1024)

/*
 * Rows per part of the channel sums over m rows of c channels: whole BLOCK_ROWS blocks, so a part
 * sums the same float32 blocks as one pass over all rows would. A function of the shape alone,
 * never of the thread count: parts are summed into float64 partials of their own and added in part
 * order, so the result is the same on any number of threads. Parts = ceil(m / rows).
 */
EXPORT("batch_norm_train_part_rows")
int batch_norm_train_part_rows(int m, int c) {
  const int blocks = ceil_div(m, BLOCK_ROWS);
  long long parts = (long long)m * c / BN_MIN_PART_ELEMENTS;
  if (parts > BN_MAX_PARTS) parts = BN_MAX_PARTS;
  if (parts > blocks) parts = blocks;
  if (parts < 1) parts = 1;
  return ceil_div(blocks, (int)parts) * BLOCK_ROWS;
}

/* Floats of per-channel coefficients batch_norm_train_*_stats write and batch_norm_train_affine reads. */
EXPORT("batch_norm_train_scratch_floats") int batch_norm_train_scratch_floats(int c) { return 3 * c; }

/*
 * Parts [first, end) of the channel sums (see runRows in kernel_threads.ts): part p sums rows
 * [p·part_rows, min(m, (p + 1)·part_rows)) into partials + 2c·p: Σ(a − shift_a) in the first c
 * doubles, Σ(a − shift_a)(b − shift_b) (or Σ(a − shift_a)² without b) in the next c. b, shift_a,
 * shift_b may be 0 (absent); the shifts are per-channel vectors of c floats.
 */
EXPORT("batch_norm_train_sums")
void batch_norm_train_sums(int slot, int first, int end, const float *a, const float *b, const float *shift_a,
                           const float *shift_b, double *partials, int m, int c, int part_rows) {
  (void)slot;
  for (int p = first; p < end; p++) {
    const long long r0 = (long long)p * part_rows;
    if (r0 >= m) break;
    const int rows = min_i(part_rows, m - (int)r0);
    double *s1 = partials + 2LL * c * p;
    all_channel_sums(a + r0 * c, b ? b + r0 * c : 0, shift_a, shift_b, rows, c, s1, s1 + c);
  }
}

/*
 * Forward statistics from the parts' sums of x − x[0] (batch_norm_train_sums, shift x itself):
 * the partials added in part order, then mean[ch], the biased variance var[ch], and in sf the
 * coefficients of y = x·scale + shift (sf[ch] = gamma·inv, sf[2c + ch] = beta − mean·scale).
 */
EXPORT("batch_norm_train_forward_stats")
void batch_norm_train_forward_stats(const double *partials, int parts, const float *x, const float *gamma,
                                    const float *beta, float *mean, float *var, float *sf, int m, int c, float eps) {
  float *scale = sf, *unused = sf + c, *shift = sf + 2 * c;
  for (int ch = 0; ch < c; ch++) {
    double s1 = 0, s2 = 0;
    for (int p = 0; p < parts; p++) {
      s1 += partials[2LL * c * p + ch];
      s2 += partials[2LL * c * p + c + ch];
    }
    double d = s1 / m; /* mean − x[0, ch] */
    double v = s2 / m - d * d;
    if (v < 0) v = 0;
    double mu = (double)x[ch] + d;
    mean[ch] = (float)mu;
    var[ch] = (float)v;
    float inv = (float)(1.0 / __builtin_sqrt(v + (double)eps));
    scale[ch] = gamma[ch] * inv;
    unused[ch] = 0.0f;
    shift[ch] = (float)(beta[ch] - mu * scale[ch]);
  }
}

/*
 * Backward, with x̂ = (x − mean)·inv and inv = 1 / √(var + eps): from the parts' Σ dy and
 * Σ dy·(x − mean) (batch_norm_train_sums of dy and x, shift_b = mean), added in part order,
 * dbeta = Σ dy, dgamma = Σ dy·x̂, and in sf the coefficients of
 * dx = gamma·inv·(dy − dbeta/m − x̂·dgamma/m) = dy·p + (x − mean)·q + k (p, q, k: c floats each).
 * The statistics count as functions of x (the training-mode gradient); mean and var are the
 * forward's outputs.
 */
EXPORT("batch_norm_train_backward_stats")
void batch_norm_train_backward_stats(const double *partials, int parts, const float *gamma, const float *var,
                                     float *dgamma, float *dbeta, float *sf, int m, int c, float eps) {
  float *p = sf, *q = sf + c, *k = sf + 2 * c;
  /* Not vectorized: per channel, and otherwise clang 16 leaves a dead stack frame here. */
  _Pragma("clang loop vectorize(disable)") for (int ch = 0; ch < c; ch++) {
    double s1 = 0, s2 = 0;
    for (int part = 0; part < parts; part++) {
      s1 += partials[2LL * c * part + ch];
      s2 += partials[2LL * c * part + c + ch];
    }
    double inv = 1.0 / __builtin_sqrt((double)var[ch] + (double)eps);
    double sum_dy = s1, sum_dy_xhat = s2 * inv;
    dbeta[ch] = (float)sum_dy;
    dgamma[ch] = (float)sum_dy_xhat;
    double g = gamma[ch] * inv;
    double qq = -g * inv * sum_dy_xhat / m;
    p[ch] = (float)g;
    q[ch] = (float)qq;
    k[ch] = (float)(-g * sum_dy / m);
  }
}

/*
 * Rows [first, end) of out = a·p + (b ? (b − sb)·q : 0) + k with the per-channel coefficients
 * sf = [p | q | k] (see runRows in kernel_threads.ts): y from x in the forward (no b), dx from dy
 * and x (sb = mean) in the backward. Element-wise, so any split gives the same values.
 */
EXPORT("batch_norm_train_affine")
void batch_norm_train_affine(int slot, int first, int end, const float *a, const float *b, const float *sb,
                             const float *sf, float *out, int m, int c) {
  (void)slot;
  end = min_i(end, m);
  if (first >= end) return;
  const long long at = (long long)first * c;
  affine_rows(a + at, b ? b + at : 0, sb, sf, sf + c, sf + 2 * c, out + at, end - first, c);
}
