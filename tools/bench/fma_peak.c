/*
 * The wasm FMA ceiling of this machine for tools/bench/fma_peak.mjs: 12 independent f32x4
 * relaxed_madd chains in registers, no memory traffic (enough chains to cover the FMA latency on
 * two ports). Whatever a convolution kernel reaches is measured against this.
 */
#include <wasm_simd128.h>

#define MADD(acc, a, b) ((v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(acc)))

__attribute__((export_name("fma_chains"))) float fma_chains(int iterations, float seed) {
  v128_t a0 = wasm_f32x4_splat(seed), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
  v128_t a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
  const v128_t x = wasm_f32x4_splat(0.999f), y = wasm_f32x4_splat(0.001f);
  for (int i = 0; i < iterations; i++) {
    a0 = MADD(a0, x, y), a1 = MADD(a1, x, y), a2 = MADD(a2, x, y), a3 = MADD(a3, x, y);
    a4 = MADD(a4, x, y), a5 = MADD(a5, x, y), a6 = MADD(a6, x, y), a7 = MADD(a7, x, y);
    a8 = MADD(a8, x, y), a9 = MADD(a9, x, y), a10 = MADD(a10, x, y), a11 = MADD(a11, x, y);
  }
  /* Every chain feeds the result, so none is dead code. */
  v128_t t = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3)), wasm_f32x4_add(a4, a5));
  t = wasm_f32x4_add(t, wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(a6, a7), wasm_f32x4_add(a8, a9)), wasm_f32x4_add(a10, a11)));
  return wasm_f32x4_extract_lane(t, 0);
}
