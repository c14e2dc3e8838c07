#include "pack.h"
#include "simd.h"

void pack_window(float *dst, const float *img, int h, int w, int c, int ch0, int count, int r0, int rows,
                 int c0, int cols, int phases) {
  const int per_phase = ceil_div(cols, phases);
  const int row_len = phases * per_phase * 4;
  const int planes = ceil_div(count, 4);
  const int plane_len = rows * row_len;
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int r = 0; r < rows; r++) {
    const int y = r0 + r;
    float *drow = dst + r * row_len;
    if (y < 0 || y >= h) {
      for (int q = 0; q < planes; q++) {
        float *d = drow + q * plane_len;
        for (int k = 0; k < row_len; k += 4) wasm_v128_store(d + k, zero);
      }
      continue;
    }
    const float *srow = img + (y * w) * c + ch0;
    for (int ph = 0; ph < phases; ph++) {
      for (int i = 0; i < per_phase; i++) {
        const int rel = ph + phases * i;
        const int x = c0 + rel;
        float *d = drow + (ph * per_phase + i) * 4;
        if (rel >= cols || x < 0 || x >= w) {
          for (int q = 0; q < planes; q++) wasm_v128_store(d + q * plane_len, zero);
          continue;
        }
        const float *s = srow + x * c;
        int q = 0;
        for (; 4 * q + 4 <= count; q++) wasm_v128_store(d + q * plane_len, wasm_v128_load(s + 4 * q));
        if (q < planes) wasm_v128_store(d + q * plane_len, load_partial(s + 4 * q, count - 4 * q));
      }
    }
  }
}

int packed_filter_floats(int taps, int cg, int o, int groups) {
  const int og = o / groups;
  return groups * taps * round4(cg) * round4(og);
}

void pack_filter(float *dst, const float *filter, int taps, int cg, int o, int groups, int transpose, int widest) {
  const int og = o / groups;
  const int in_n = transpose ? og : cg;
  const int out_n = transpose ? cg : og;
  const int in_p = round4(in_n);
  const int out_p = round4(out_n);
  for (int g = 0; g < groups; g++) {
    for (int s = 0; s < out_p; s += chunk_width_upto(out_p, s, widest)) {
      const int width = chunk_width_upto(out_p, s, widest);
      /* Whole chunk present and not transposed: a row is a contiguous run of the filter. */
      const int direct = !transpose && s + width <= out_n;
      for (int t = 0; t < taps; t++) {
        for (int ci = 0; ci < in_p; ci++, dst += width) {
          if (ci >= in_n) {
            for (int lane = 0; lane < width; lane += 4) wasm_v128_store(dst + lane, wasm_f32x4_splat(0.0f));
          } else if (direct) {
            const float *src = filter + (t * cg + ci) * o + g * og + s;
            for (int lane = 0; lane < width; lane += 4) wasm_v128_store(dst + lane, wasm_v128_load(src + lane));
          } else {
            for (int lane = 0; lane < width; lane++) {
              const int co = s + lane;
              /* transpose: the core's input channel ci is the filter's output channel and vice versa. */
              dst[lane] = co >= out_n ? 0.0f
                          : transpose ? filter[(t * cg + co) * o + g * og + ci]
                                      : filter[(t * cg + ci) * o + g * og + co];
            }
          }
        }
      }
    }
  }
}

EXPORT("group_conv_packed_filter_bytes")
int group_conv_packed_filter_bytes(GEOMETRY) { return 4 * packed_filter_floats(kh * kw, c / groups, o, groups); }

EXPORT("group_conv_pack_filter")
void group_conv_pack_filter(float *dst, const float *filter, int transpose, int wide, GEOMETRY) {
  pack_filter(dst, filter, kh * kw, c / groups, o, groups, transpose, transpose ? 16 : forward_chunk_widest(c, kh, kw, o, groups, wide));
}
