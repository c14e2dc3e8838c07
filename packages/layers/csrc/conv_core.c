#include "conv_core.h"

/*
 * Register blocking per chunk width, for V8 on x86-64 (15 allocatable XMM registers): PB pixels x
 * N/4 accumulators, plus N/4 weight vectors and one broadcast input channel, must fit without
 * spills. 16 x 2 uses 13; 16 x 3 needs 17 and spilled four accumulators per channel step (1x1 at
 * 14x14, one thread: 20 GMAC/s at 16 x 3, 24-26 at 16 x 2; the FMA peak here is about 28).
 * 24 x 2 (relaxed-SIMD build only, see WIDE_CHUNK) streams its weight vectors and uses 15: its 12
 * independent FMA chains hide the FMA latency that 16 x 2's 8 only just cover (Node 24, one thread,
 * ResNeXt-50's 1x1 shapes: 0.88-0.93x the time of 16 x 2, 24-25.7 GMAC/s). V8 11.3 (Node 20)
 * spills it (12 GMAC/s), so callers choose it only where it fits (KernelInstance.wide).
 */
#define PB4 8
#define PB8 4
#define PB16 2
#define PB24 2

/*
 * Input planes (4 channels each) per pass of pointwise_row: 64 planes of a 16-wide chunk are 16 KB
 * of weights, which then stay in L1 while every pixel of the row streams past, instead of the
 * whole chunk (64 KB at 1024 input channels, 128 KB at 2048) coming from L2 for every block.
 */
#define K_BLOCK_PLANES 64

/*
 * One block of PB pixels. N and PB are constants at every call, so the loops over them unroll
 * and the accumulator arrays become wasm locals. INPLACE (a constant too) reads an NHWC input
 * where it lies: pixels px_step floats apart and planes 4 floats apart, instead of a packed window
 * (pixels 4 floats apart, planes plane_len apart). Both sum in the same order: same results.
 */
INLINE void conv_block(const int N, const int PB, const int INPLACE, int px_step, int resume, float *y, const float *res, int y_step, const float *x, int plane_len, int planes,
                       const int *taps, int ntaps, const float *w, int w_tap, const float *bias, int relu,
                       int valid) {
  /* Fixed extents (PB <= 8, N <= 24), not [PB][N / 4]: that would be a variable-length array. */
  v128_t acc[8][6];
  if (resume) {
    /* Continue the partial sums an earlier pass over the first input channels stored in y. */
    UNROLL for (int p = 0; p < PB; p++) {
      UNROLL for (int j = 0; j < N / 4; j++) acc[p][j] = load_upto(y + p * y_step + 4 * j, valid - 4 * j);
    }
  } else {
    UNROLL for (int j = 0; j < N / 4; j++) {
      const v128_t b = bias ? wasm_v128_load(bias + 4 * j) : wasm_f32x4_splat(0.0f);
      UNROLL for (int p = 0; p < PB; p++) acc[p][j] = b;
    }
  }
  for (int t = 0; t < ntaps; t++) {
    const float *xt = x + taps[2 * t];
    const float *wt = w + taps[2 * t + 1] * w_tap;
    for (int q = 0; q < planes; q++, xt += plane_len, wt += 4 * N) {
      const float *xq = xt, *wq = wt;
      OPAQUE(wq);
      /* A plane's 4 channels one at a time, in a loop clang must not unroll. Unrolled, clang's wasm
         (which need not weigh register pressure: wasm locals are unlimited) loads all 4 x N/4
         weight vectors and 4 broadcasts up front, and Node 20's V8 then spills accumulators on
         every step: 1x1 at 14x14 ran at 19-20 GMAC/s on one thread, rolled at 24-26. */
      if (N > 16) {
        /* 24 wide: the PB broadcasts stay and the weight vectors stream past, one at a time (12
           accumulators + 2 broadcasts + 1 weight vector: V8's 15 registers). The same products,
           summed into each accumulator in the same order as below. */
        _Pragma("clang loop unroll(disable)") for (int cc = 0; cc < 4; cc++) {
          v128_t xs[8];
          UNROLL for (int p = 0; p < PB; p++) xs[p] = wasm_v128_load32_splat((INPLACE ? xq + p * px_step : xq + 4 * p) + cc);
          UNROLL for (int j = 0; j < N / 4; j++) {
            const v128_t wv = wasm_v128_load(wq + cc * N + 4 * j);
            UNROLL for (int p = 0; p < PB; p++) acc[p][j] = MADD(acc[p][j], xs[p], wv);
          }
        }
        continue;
      }
      _Pragma("clang loop unroll(disable)") for (int cc = 0; cc < 4; cc++) {
        v128_t wv[4];
        UNROLL for (int j = 0; j < N / 4; j++) wv[j] = wasm_v128_load(wq + cc * N + 4 * j);
        UNROLL for (int p = 0; p < PB; p++) {
          const float *xp = INPLACE ? xq + p * px_step : xq + 4 * p;
          const v128_t xs = wasm_v128_load32_splat(xp + cc);
          UNROLL for (int j = 0; j < N / 4; j++) acc[p][j] = MADD(acc[p][j], xs, wv[j]);
        }
      }
    }
  }
  const v128_t zero = wasm_f32x4_splat(0.0f);
  UNROLL for (int p = 0; p < PB; p++) {
    float *yp = y + p * y_step;
    UNROLL for (int j = 0; j < N / 4; j++) {
      v128_t v = acc[p][j];
      /* The residual joins after the bias, before the ReLU: relu((conv + bias) + res), as unfused. */
      if (res) v = wasm_f32x4_add(v, load_upto(res + p * y_step + 4 * j, valid - 4 * j));
      /* pmax(v, 0) is v < 0 ? 0 : v: a single maxps, and NaN passes through as in tf.relu. */
      if (relu) v = wasm_f32x4_pmax(v, zero);
      if (valid >= N) {
        wasm_v128_store(yp + 4 * j, v);
      } else {
        store_partial(yp + 4 * j, v, valid - 4 * j);
      }
    }
  }
}

/*
 * The pixel blocks of a row: PB at a time, then blocks of 4, 3, 2 and 1 (those below PB) for the
 * tail. Each block runs `groups` groups in turn, group g offset by g times the *_group strides,
 * so with all groups of a small filter each block writes whole output pixels, in order.
 */
INLINE void conv_row_n(const int N, const int PB, const int INPLACE, int px_step, int resume, float *y, const float *res, int y_step, int pixels, const float *x, int plane_len,
                       int planes, const int *taps, int ntaps, const float *w, const float *bias, int relu,
                       int valid, int groups, int y_group, int x_group, int w_group, int b_group) {
  const int w_tap = planes * 4 * N;
  int p = 0;
#define BLOCKS(PBK)                                                                                             \
  for (int g = 0; g < groups; g++)                                                                               \
    conv_block(N, PBK, INPLACE, px_step, resume, y + p * y_step + g * y_group, res ? res + p * y_step + g * y_group : 0,  \
               y_step, x + (INPLACE ? p * px_step : 4 * p) + g * x_group, plane_len, planes, taps,                 \
               ntaps, w + g * w_group, w_tap, bias ? bias + g * b_group : 0, relu, valid);
  for (; p + PB <= pixels; p += PB) {
    BLOCKS(PB)
  }
  if (PB > 4 && p + 4 <= pixels) {
    BLOCKS(PB > 4 ? 4 : 1)
    p += 4;
  }
  if (PB > 3 && p + 3 <= pixels) {
    BLOCKS(PB > 3 ? 3 : 1)
    p += 3;
  }
  if (PB > 2 && p + 2 <= pixels) {
    BLOCKS(PB > 2 ? 2 : 1)
    p += 2;
  }
  for (; p < pixels; p++) {
    BLOCKS(1)
  }
#undef BLOCKS
}

/* One function per chunk width: V8 compiles (and tiers up) each on its own, and smaller ones faster. */
#define CONV_ROW_N(N, PB)                                                                                     \
  __attribute__((noinline)) static void conv_row_##N(float *y, const float *res, int y_step, int pixels, const float *x,       \
                                                     int plane_len, int planes, const int *taps, int ntaps,    \
                                                     const float *w, const float *bias, int relu, int valid,   \
                                                     int groups, int y_group, int x_group, int w_group,         \
                                                     int b_group) {                                            \
    conv_row_n(N, PB, 0, 0, 0, y, res, y_step, pixels, x, plane_len, planes, taps, ntaps, w, bias, relu, valid, groups, \
               y_group, x_group, w_group, b_group);                                                            \
  }                                                                                                            \
  __attribute__((noinline)) static void pointwise_row_##N(float *y, const float *res, int y_step, int pixels,   \
                                                          const float *x, int px_step, int planes, const float *w, \
                                                          const float *bias, int relu, int valid) {           \
    const int tap[2] = {0, 0};                                                                                 \
    /* Input channels in blocks whose weights stay in L1 across the row (see K_BLOCK_PLANES); partial sums  \
       wait in y between blocks, so every output sums its products in the same order as in one pass. */       \
    for (int q0 = 0; q0 < planes; q0 += K_BLOCK_PLANES) {                                                      \
      const int count = min_i(K_BLOCK_PLANES, planes - q0), last = q0 + count == planes;                       \
      conv_row_n(N, PB, 1, px_step, q0 > 0, y, last ? res : 0, y_step, pixels, x + 4 * q0, 4, count, tap, 1,   \
                 w + q0 * 4 * N, bias, last ? relu : 0, valid, 1, 0, 0, 0, 0);                                 \
    }                                                                                                          \
  }
CONV_ROW_N(4, PB4)
CONV_ROW_N(8, PB8)
CONV_ROW_N(16, PB16)
#if WIDE_CHUNK == 24
CONV_ROW_N(24, PB24)
#endif

void pointwise_row(int n, float *y, const float *res, int y_step, int pixels, const float *x, int px_step, int planes,
                   const float *w, const float *bias, int relu, int valid) {
#if WIDE_CHUNK == 24
  if (n == 24) {
    pointwise_row_24(y, res, y_step, pixels, x, px_step, planes, w, bias, relu, valid);
    return;
  }
#endif
  if (n == 16) {
    pointwise_row_16(y, res, y_step, pixels, x, px_step, planes, w, bias, relu, valid);
  } else if (n == 8) {
    pointwise_row_8(y, res, y_step, pixels, x, px_step, planes, w, bias, relu, valid);
  } else {
    pointwise_row_4(y, res, y_step, pixels, x, px_step, planes, w, bias, relu, valid);
  }
}

void conv_row(int n, float *y, const float *res, int y_step, int pixels, const float *x, int plane_len, int planes, const int *taps,
              int ntaps, const float *w, const float *bias, int relu, int valid, int groups, int y_group, int x_group,
              int w_group, int b_group) {
#if WIDE_CHUNK == 24
  if (n == 24) {
    conv_row_24(y, res, y_step, pixels, x, plane_len, planes, taps, ntaps, w, bias, relu, valid, groups, y_group, x_group,
                w_group, b_group);
    return;
  }
#endif
  if (n == 16) {
    conv_row_16(y, res, y_step, pixels, x, plane_len, planes, taps, ntaps, w, bias, relu, valid, groups, y_group, x_group,
                w_group, b_group);
  } else if (n == 8) {
    conv_row_8(y, res, y_step, pixels, x, plane_len, planes, taps, ntaps, w, bias, relu, valid, groups, y_group, x_group,
               w_group, b_group);
  } else {
    conv_row_4(y, res, y_step, pixels, x, plane_len, planes, taps, ntaps, w, bias, relu, valid, groups, y_group, x_group,
               w_group, b_group);
  }
}
