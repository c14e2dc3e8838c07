/*
 * Shared definitions of the grouped-convolution wasm kernels.
 *
 * The module runs directly on the tfjs wasm heap (it imports that memory), so it must own no
 * memory: no static data and no linear-memory stack. Everything below is therefore either
 * always-inlined (so clang's SROA keeps accumulator arrays in wasm locals) or takes scalar
 * arguments only; tools/build-wasm-kernels.mjs rejects a build that references the stack
 * pointer or has data segments.
 */
#ifndef RESNEXT_SIMD_H
#define RESNEXT_SIMD_H

#include <wasm_simd128.h>

#define INLINE static inline __attribute__((always_inline))
#define EXPORT(name) __attribute__((export_name(name), visibility("default")))
#define UNROLL _Pragma("clang loop unroll(full)")

/*
 * Every entry point takes the same convolution geometry, in this order: batch n, input h x w x c,
 * filter kh x kw, output channels o, groups, strides sh sw, dilations dh dw, top and left padding
 * pt pl, output oh x ow. Not every function reads every value.
 */
#define GEOMETRY                                                                                                  \
  __attribute__((unused)) int n, __attribute__((unused)) int h, __attribute__((unused)) int w,                      \
      __attribute__((unused)) int c, __attribute__((unused)) int kh, __attribute__((unused)) int kw,                \
      __attribute__((unused)) int o, __attribute__((unused)) int groups, __attribute__((unused)) int sh,            \
      __attribute__((unused)) int sw, __attribute__((unused)) int dh, __attribute__((unused)) int dw,               \
      __attribute__((unused)) int pt, __attribute__((unused)) int pl, __attribute__((unused)) int oh,               \
      __attribute__((unused)) int ow

/*
 * Hides a pointer's provenance from the optimizer. Without it InstCombine folds `base + k` into
 * the variable index (`x + (off + k)`), and the constant k can no longer become the wasm load's
 * offset immediate, costing V8 one extra address computation (and register) per load.
 */
#define OPAQUE(p) __asm__("" : "+r"(p))

/*
 * Cache budgets of a row tile (see window_tile_rows): about L1 for one group's packed window,
 * a share of L2 for the whole tile (input rows, their packed copy and the output rows).
 */
#define GROUP_BUDGET_BYTES (48 * 1024)
#define TILE_BUDGET_BYTES (1024 * 1024)

/* Outputs up to about L2's size are written in place; larger ones through a cache-resident tile. */
#define DIRECT_OUTPUT_MAX_BYTES (2 * 1024 * 1024)

/* Whether an output of n images of `image_floats` floats is small enough to write in place. */
INLINE int output_in_cache(int n, int image_floats) {
  return (long long)n * image_floats * 4 <= DIRECT_OUTPUT_MAX_BYTES;
}

INLINE int round4(int v) { return (v + 3) & ~3; }
INLINE int min_i(int a, int b) { return a < b ? a : b; }
INLINE int max_i(int a, int b) { return a > b ? a : b; }
INLINE int ceil_div(int a, int b) { return (a + b - 1) / b; }
/* Floor division for a possibly negative numerator and a positive divisor. */
INLINE int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/*
 * Width of the output-channel chunk starting at `start` of a padded run of `padded` channels:
 * `widest` (16 or WIDE_CHUNK) while at least that many remain, then 16, 8, 4. Kernels are
 * specialized for these widths, and packed filters are laid out chunk by chunk with the same rule.
 */
INLINE int chunk_width_upto(int padded, int start, int widest) {
  int rest = padded - start;
  return rest >= widest ? widest : rest >= 16 ? 16 : rest >= 8 ? 8 : 4;
}
INLINE int chunk_width(int padded, int start) { return chunk_width_upto(padded, start, 16); }

/*
 * The widest chunk of a one-group 1x1 filter (a plain GEMM; see forward_chunk_widest, whose caller
 * may still ask for 16): 24 in the relaxed-SIMD build, whose 24-channel core keeps 12 accumulators,
 * 2 broadcasts and 1 weight vector in V8's 15 XMM registers (an FMA needs no temporary); the plain
 * build's multiply-then-add does, so it stays at 16.
 */
#ifdef __wasm_relaxed_simd__
#define WIDE_CHUNK 24
#else
#define WIDE_CHUNK 16
#endif

/*
 * acc + a * b. The relaxed-SIMD build (-mrelaxed-simd, see tools/build-wasm-kernels.mjs) uses
 * f32x4.relaxed_madd, which V8 lowers to one FMA instruction where the CPU has one: twice the
 * multiply-add throughput, and one rounding instead of two (as accurate or better). Without it,
 * a multiply then an add. Each build is deterministic on its own: every output is accumulated in
 * the same order whatever the thread count.
 */
#ifdef __wasm_relaxed_simd__
#define MADD(acc, a, b) ((v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(acc)))
#else
#define MADD(acc, a, b) wasm_f32x4_add((acc), wasm_f32x4_mul((a), (b)))
#endif

/* Loads lanes [0, n) of a vector from `p` (n < 4), zero elsewhere, never touching p[n..3]. */
INLINE v128_t load_partial(const float *p, int n) {
  v128_t v = wasm_f32x4_splat(0.0f);
  if (n > 0) v = wasm_f32x4_replace_lane(v, 0, p[0]);
  if (n > 1) v = wasm_f32x4_replace_lane(v, 1, p[1]);
  if (n > 2) v = wasm_f32x4_replace_lane(v, 2, p[2]);
  return v;
}

/* Loads lanes [0, n) of a vector from `p` (n may exceed 4: then all four), zero elsewhere. */
INLINE v128_t load_upto(const float *p, int n) { return n >= 4 ? wasm_v128_load(p) : load_partial(p, n); }

/* Stores lanes [0, n) of `v` to `p` (n may exceed 4: then all four). */
INLINE void store_partial(float *p, v128_t v, int n) {
  if (n >= 4) {
    wasm_v128_store(p, v);
    return;
  }
  if (n > 0) p[0] = wasm_f32x4_extract_lane(v, 0);
  if (n > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (n > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

/* Lane `lane` (a constant after unrolling) of `v` in all four lanes. */
INLINE v128_t lane_splat(v128_t v, const int lane) {
  switch (lane) {
    case 0:
      return wasm_i32x4_shuffle(v, v, 0, 0, 0, 0);
    case 1:
      return wasm_i32x4_shuffle(v, v, 1, 1, 1, 1);
    case 2:
      return wasm_i32x4_shuffle(v, v, 2, 2, 2, 2);
    default:
      return wasm_i32x4_shuffle(v, v, 3, 3, 3, 3);
  }
}

/* dst[0, count) = src[0, count), 64 bytes per step so the destination fills whole lines in order. */
INLINE void copy_floats(float *dst, const float *src, int count) {
  int i = 0;
  for (; i + 16 <= count; i += 16) {
    const v128_t a = wasm_v128_load(src + i), b = wasm_v128_load(src + i + 4);
    const v128_t c = wasm_v128_load(src + i + 8), d = wasm_v128_load(src + i + 12);
    wasm_v128_store(dst + i, a);
    wasm_v128_store(dst + i + 4, b);
    wasm_v128_store(dst + i + 8, c);
    wasm_v128_store(dst + i + 12, d);
  }
  for (; i < count; i++) dst[i] = src[i];
}

#endif
