/*
 * The input gradient of the ReLU that follows most batch norms: dx = dy where y > 0, else 0, in
 * one pass (tfjs' gradient is three kernels: Step, Cast and Multiply). Owns no memory.
 */
#include "simd.h"

EXPORT("bn_relu_backward")
void bn_relu_backward(const float *dy, const float *y, float *dx, int n) {
  int i = 0;
  v128_t zero = wasm_f32x4_splat(0.0f);
  for (; i + 16 <= n; i += 16) {
    UNROLL for (int v = 0; v < 4; v++) {
      v128_t mask = wasm_f32x4_gt(wasm_v128_load(y + i + 4 * v), zero);
      wasm_v128_store(dx + i + 4 * v, wasm_v128_and(wasm_v128_load(dy + i + 4 * v), mask));
    }
  }
  for (; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}
