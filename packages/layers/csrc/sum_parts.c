/*
 * The fixed-order sum that ends a reduction cut into parts: out[i] = ((p_0[i] + p_1[i]) + p_2[i]) + …
 * over `parts` arrays of `len` floats, back to back. The order is that of the parts, whatever
 * thread adds which elements, so results do not depend on the thread count. Owns no memory.
 */
#include "simd.h"

/*
 * Chunks [first, end) of `chunk` floats each (see runRows in kernel_threads.ts): out[i] for i in
 * [first·chunk, min(end·chunk, len)). `chunk` is a multiple of 4.
 */
EXPORT("sum_parts")
void sum_parts(int slot, int first, int end, const float *partials, int parts, int len, float *out, int chunk) {
  (void)slot;
  const long long i0 = (long long)first * chunk;
  const long long i1 = (long long)end * chunk < len ? (long long)end * chunk : len;
  long long i = i0;
  for (; i + 4 <= i1; i += 4) {
    v128_t s = wasm_v128_load(partials + i);
    for (int p = 1; p < parts; p++) s = wasm_f32x4_add(s, wasm_v128_load(partials + (long long)p * len + i));
    wasm_v128_store(out + i, s);
  }
  for (; i < i1; i++) {
    float s = partials[i];
    for (int p = 1; p < parts; p++) s += partials[(long long)p * len + i];
    out[i] = s;
  }
}
