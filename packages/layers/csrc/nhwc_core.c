#include "nhwc_core.h"

/*
 * Pixels per block row; blocks cover two output rows where they can, sharing each tap's weight
 * loads and most input lines. Pixels are 4 * c bytes apart, a power of two in ResNeXt, so a
 * block's input lines crowd few L1 sets, competing with the whole filter (live per block): small
 * blocks miss less. Measured at 56x56x128 (GFLOP/s vs dense, batch 1 / 8): 1 x 8 pixels 53/42%,
 * 1 x 4 70/58%, 2 x 4 72/53%, 2 x 3 69/66%, 2 x 2 61/60%.
 */
#define NHWC_PB 3

/*
 * One block of RB rows x PB pixels, group after group. Per tap the group's 4 x 4 weights are loaded
 * once for all RB * PB pixels; each pixel's 4 input channels are splat-loaded at constant offsets from one
 * pointer, so only one address per pixel and tap is computed.
 */
INLINE void nhwc_block(const int RB, const int PB, float *y, const float *res, int o, int y_row, const float *x, int x_step,
                       int x_row, const int *taps, int ntaps, const float *w, int w_group, const float *bias,
                       int relu, int groups) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int g = 0; g < groups; g++) {
    v128_t acc[2 * NHWC_PB];
    const v128_t b = bias ? wasm_v128_load(bias + 4 * g) : zero;
    UNROLL for (int p = 0; p < RB * PB; p++) acc[p] = b;
    const float *xg = x + 4 * g, *wg = w + g * w_group;
    for (int t = 0; t < ntaps; t++) {
      const float *wt = wg + 16 * taps[2 * t + 1];
      OPAQUE(wt);
      const v128_t w0 = wasm_v128_load(wt), w1 = wasm_v128_load(wt + 4);
      const v128_t w2 = wasm_v128_load(wt + 8), w3 = wasm_v128_load(wt + 12);
      UNROLL for (int r = 0; r < RB; r++) {
        const float *xp = xg + taps[2 * t] + r * x_row;
        UNROLL for (int p = 0; p < PB; p++, xp += x_step) {
          /* A running pointer: hoisted p * x_step offsets would each hold a register across the taps. */
          OPAQUE(xp);
          v128_t a = acc[r * PB + p];
          a = MADD(a, wasm_v128_load32_splat(xp), w0);
          a = MADD(a, wasm_v128_load32_splat(xp + 1), w1);
          a = MADD(a, wasm_v128_load32_splat(xp + 2), w2);
          a = MADD(a, wasm_v128_load32_splat(xp + 3), w3);
          acc[r * PB + p] = a;
        }
      }
    }
    UNROLL for (int r = 0; r < RB; r++) {
      UNROLL for (int p = 0; p < PB; p++) {
        /* pmax(v, 0) is v < 0 ? 0 : v: a single maxps, and NaN passes through as in tf.relu. */
        v128_t v = acc[r * PB + p];
        if (res) v = wasm_f32x4_add(v, wasm_v128_load(res + r * y_row + p * o + 4 * g));
        wasm_v128_store(y + r * y_row + p * o + 4 * g, relu ? wasm_f32x4_pmax(v, zero) : v);
      }
    }
  }
}

/* The blocks of a run of RB rows: PB pixels at a time, then 2 and 1. */
INLINE void nhwc_rows(const int RB, float *y, const float *res, int o, int y_row, int pixels, const float *x, int x_step, int x_row,
                      const int *taps, int ntaps, const float *w, int w_group, const float *bias, int relu,
                      int groups) {
  int p = 0;
#define BLOCK(PBK)                                                                                               \
  nhwc_block(RB, PBK, y + p * o, res ? res + p * o : 0, o, y_row, x + p * x_step, x_step, x_row, taps, ntaps, w, w_group, bias, relu, \
             groups)
  for (; p + NHWC_PB <= pixels; p += NHWC_PB) BLOCK(NHWC_PB);
  if (p + 2 <= pixels) {
    BLOCK(2);
    p += 2;
  }
  if (p < pixels) BLOCK(1);
#undef BLOCK
}

void nhwc_conv_row(float *y, const float *res, int o, int y_row, int rows, int pixels, const float *x, int x_step, int x_row,
                   const int *taps, int ntaps, const float *w, int w_group, const float *bias, int relu, int groups) {
  if (rows == 2) {
    nhwc_rows(2, y, res, o, y_row, pixels, x, x_step, x_row, taps, ntaps, w, w_group, bias, relu, groups);
  } else {
    nhwc_rows(1, y, res, o, y_row, pixels, x, x_step, x_row, taps, ntaps, w, w_group, bias, relu, groups);
  }
}
