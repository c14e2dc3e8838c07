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
 * avoids the cancellation of E[x²] − E[x]² when |mean| ≫ std. Like the other kernels this unit
 * owns no memory: per-channel vectors live in caller-provided buffers.
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

/* Doubles needed by batch_norm_train_* as scratch for c channels. */
EXPORT("batch_norm_train_scratch_doubles") int batch_norm_train_scratch_doubles(int c) { return 2 * c; }

/* Floats needed by batch_norm_train_* as scratch for c channels (after the doubles). */
EXPORT("batch_norm_train_scratch_floats") int batch_norm_train_scratch_floats(int c) { return 3 * c; }

/*
 * Forward: mean[ch] and the biased variance var[ch] of x's m rows, then
 * y = (x − mean) / √(var + eps) · gamma + beta. `sd` holds 2c doubles (8-byte aligned), `sf` 3c floats.
 */
EXPORT("batch_norm_train_forward")
void batch_norm_train_forward(const float *x, const float *gamma, const float *beta, float *y, float *mean, float *var,
                              double *sd, float *sf, int m, int c, float eps) {
  double *s1 = sd, *s2 = sd + c;
  all_channel_sums(x, 0, x, 0, m, c, s1, s2);
  float *scale = sf, *shift = sf + c;
  for (int ch = 0; ch < c; ch++) {
    double d = s1[ch] / m; /* mean − x[0, ch] */
    double v = s2[ch] / m - d * d;
    if (v < 0) v = 0;
    double mu = (double)x[ch] + d;
    mean[ch] = (float)mu;
    var[ch] = (float)v;
    float inv = (float)(1.0 / __builtin_sqrt(v + (double)eps));
    scale[ch] = gamma[ch] * inv;
    shift[ch] = (float)(beta[ch] - mu * scale[ch]);
  }
  affine_rows(x, 0, 0, scale, 0, shift, y, m, c);
}

/*
 * Backward, with x̂ = (x − mean)·inv and inv = 1 / √(var + eps): dbeta = Σ dy, dgamma = Σ dy·x̂,
 * dx = gamma·inv·(dy − dbeta/m − x̂·dgamma/m), computed as dx = dy·p + (x − mean)·q + k per channel.
 * The statistics count as functions of x (the training-mode gradient); mean and var are the
 * forward's outputs. `sd` holds 2c doubles, `sf` 3c floats.
 */
EXPORT("batch_norm_train_backward")
void batch_norm_train_backward(const float *dy, const float *x, const float *gamma, const float *mean, const float *var,
                               float *dx, float *dgamma, float *dbeta, double *sd, float *sf, int m, int c, float eps) {
  double *s1 = sd, *s2 = sd + c;
  all_channel_sums(dy, x, 0, mean, m, c, s1, s2); /* Σ dy, Σ dy·(x − mean) */
  float *p = sf, *q = sf + c, *k = sf + 2 * c;
  /* Not vectorized: per channel, and otherwise clang 16 leaves a dead stack frame here. */
  _Pragma("clang loop vectorize(disable)") for (int ch = 0; ch < c; ch++) {
    double inv = 1.0 / __builtin_sqrt((double)var[ch] + (double)eps);
    double sum_dy = s1[ch], sum_dy_xhat = s2[ch] * inv;
    dbeta[ch] = (float)sum_dy;
    dgamma[ch] = (float)sum_dy_xhat;
    double g = gamma[ch] * inv;
    double qq = -g * inv * sum_dy_xhat / m;
    p[ch] = (float)g;
    q[ch] = (float)qq;
    k[ch] = (float)(-g * sum_dy / m);
  }
  affine_rows(dy, x, mean, p, q, k, dx, m, c);
}
