/*
 * The input gradient of the ReLU that follows most batch norms: dx = dy where y > 0, else 0, in
 * one pass (tfjs' gradient is three kernels: Step, Cast and Multiply). Owns no memory.
 */
#include "simd.h"

/*
 * Chunks [first, end) of `chunk` elements each (see runRows in kernel_threads.ts) of n elements;
 * `chunk` is a multiple of 16. Element-wise, so any split gives the same values.
 */
EXPORT("bn_relu_backward")
void bn_relu_backward(int slot, int first, int end, const float *dy, const float *y, float *dx, int n, int chunk) {
  (void)slot;
  int i = first * chunk;
  const int i1 = (long long)end * chunk < n ? end * chunk : n;
  v128_t zero = wasm_f32x4_splat(0.0f);
  for (; i + 16 <= i1; i += 16) {
    UNROLL for (int v = 0; v < 4; v++) {
      v128_t mask = wasm_f32x4_gt(wasm_v128_load(y + i + 4 * v), zero);
      wasm_v128_store(dx + i + 4 * v, wasm_v128_and(wasm_v128_load(dy + i + 4 * v), mask));
    }
  }
  for (; i < i1; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}
