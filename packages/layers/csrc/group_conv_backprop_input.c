/*
 * Input gradient of a grouped convolution: dx = conv_transpose(dy, filter).
 *
 * dx[iy][ix][c] = sum over taps (ky, kx) and the group's outputs k of
 *   dy[(iy + pt - ky*dh) / sh][(ix + pl - kx*dw) / sw][k] * filter[ky][kx][c][k]
 * over the taps where both divisions are exact. Splitting dx into its sh x sw stride phases
 * (iy % sh, ix % sw) makes each phase a stride-1 correlation of dy with a fixed subset of taps and
 * the transposed filter, so the forward core runs it unchanged over a packed window of dy, and no
 * work is spent on the zeros a strided transpose would insert. Phases that no tap reaches get zeros.
 */
#include "conv_core.h"
#include "pack.h"
#include "window.h"

/* dy rows a tile of `rows` dx rows reads, at most (the exact count depends on the tile's start). */
INLINE int bpi_window_rows(int rows, int kh, int sh, int dh) { return (rows - 1 + (kh - 1) * dh) / sh + 2; }

/* First and last dy columns any dx column reads; the window spans them for every row. */
INLINE int bpi_col_lo(int kw, int sw, int dw, int pl) { return floor_div(pl - (kw - 1) * dw, sw); }
INLINE int bpi_cols(int w, int kw, int sw, int dw, int pl) {
  return floor_div(w - 1 + pl, sw) - bpi_col_lo(kw, sw, dw, pl) + 1;
}

INLINE int bpi_tile_rows(int h, int w, int c, int kh, int kw, int o, int groups, int sh, int sw, int dh, int dw,
                         int pl, int ow) {
  const int row_len = 4 * bpi_cols(w, kw, sw, dw, pl);
  const int planes = ceil_div(o / groups, 4);
  int rows = h;
  while (rows > 1) {
    const int in_rows = bpi_window_rows(rows, kh, sh, dh);
    const int group_bytes = in_rows * row_len * planes * 4;
    const int tile_bytes = (2 * in_rows * ow * o + rows * w * c) * 4;
    if (group_bytes <= GROUP_BUDGET_BYTES && tile_bytes <= TILE_BUDGET_BYTES) break;
    rows--;
  }
  return rows;
}

INLINE int bpi_window_floats(int rows, int w, int kh, int kw, int o, int groups, int sh, int sw, int dh, int dw,
                             int pl) {
  const int planes = ceil_div(o / groups, 4);
  return bpi_window_rows(rows, kh, sh, dh) * 4 * bpi_cols(w, kw, sw, dw, pl) *
         (cg_aligned(o, groups) ? planes * groups : planes);
}

/* Tap tables: per phase, a count, the smallest row shift, then up to kh*kw (offset, tap) pairs. */
INLINE int bpi_phase_ints(int kh, int kw) { return 2 + 2 * kh * kw; }
INLINE int bpi_taps_floats(int kh, int kw, int sh, int sw) { return round4(sh * sw * bpi_phase_ints(kh, kw)); }

/* Bytes of scratch one part of group_conv_backprop_input needs: tap tables, dy window, dx rows. */
EXPORT("group_conv_backprop_input_scratch")
int group_conv_backprop_input_scratch(GEOMETRY) {
  const int rows = bpi_tile_rows(h, w, c, kh, kw, o, groups, sh, sw, dh, dw, pl, ow);
  const int out_tile = output_in_cache(n, h * w * c) ? 0 : round4(rows * w * c);
  return 4 * (bpi_taps_floats(kh, kw, sh, sw) +
              round4(bpi_window_floats(rows, w, kh, kw, o, groups, sh, sw, dh, dw, pl)) + out_tile);
}

/*
 * dx [n][h][w][c] from dy [n][oh][ow][o] and the filter packed by group_conv_pack_filter
 * (transpose = 1), for the forward geometry.
 *
 * dx rows [first, end) of all images counted image after image, split between threads like
 * group_conv_forward; every value is computed alike whatever the split. `scratch_base` has
 * group_conv_backprop_input_scratch bytes per thread; thread `slot` uses its own share.
 */
EXPORT("group_conv_backprop_input")
void group_conv_backprop_input(int slot, int first, int end, const float *dy, const float *packed, float *dx,
                               char *scratch_base, GEOMETRY) {
  float *scratch = (float *)(scratch_base + (long long)slot * group_conv_backprop_input_scratch(
                                                                  n, h, w, c, kh, kw, o, groups, sh, sw, dh, dw, pt, pl, oh, ow));
  end = min_i(end, n * h);
  if (first >= end) return;
  const int cg = c / groups, og = o / groups, cgp = round4(cg);
  const int planes = ceil_div(og, 4);
  const int col_lo = bpi_col_lo(kw, sw, dw, pl);
  const int cols = bpi_cols(w, kw, sw, dw, pl);
  const int row_len = 4 * cols;
  const int tile_rows = bpi_tile_rows(h, w, c, kh, kw, o, groups, sh, sw, dh, dw, pl, ow);
  const int aligned = cg_aligned(o, groups);
  /* Groups sharing a 64-byte line of dx run row by row together, as in the forward pass. */
  const int line_groups = aligned ? max_i(1, 16 / cg) : 1;
  const int group_floats = kh * kw * planes * 4 * cgp;
  const int phase_ints = bpi_phase_ints(kh, kw);
  /* As in the forward pass: dx in place when it fits in cache, else through a tile copy. */
  const int direct = output_in_cache(n, h * w * c);

  int *tables = (int *)scratch;
  float *window = scratch + bpi_taps_floats(kh, kw, sh, sw);
  float *out = window + bpi_window_floats(tile_rows, w, kh, kw, o, groups, sh, sw, dh, dw, pl);

  /* Phase (py, px): taps whose row and column shifts are exact multiples of the strides. */
  for (int py = 0; py < sh; py++) {
    for (int px = 0; px < sw; px++) {
      int *table = tables + (py * sw + px) * phase_ints;
      int count = 0, shift_min = 0;
      for (int pass = 0; pass < 2; pass++) {
        count = 0;
        for (int ky = 0; ky < kh; ky++) {
          const int ny = py + pt - ky * dh;
          if (ny % sh != 0) continue;
          for (int kx = 0; kx < kw; kx++) {
            const int nx = px + pl - kx * dw;
            if (nx % sw != 0) continue;
            const int ey = ny / sh, ex = nx / sw;
            if (pass == 0) {
              shift_min = count == 0 ? ey : min_i(shift_min, ey);
            } else {
              table[2 + 2 * count] = (ey - shift_min) * row_len + (ex - col_lo) * 4;
              table[3 + 2 * count] = ky * kw + kx;
            }
            count++;
          }
        }
      }
      table[0] = count;
      table[1] = shift_min;
    }
  }

  for (int b = first / h; b * h < end; b++) {
    const float *image = dy + b * oh * ow * o;
    const int iy_end = min_i(h, end - b * h);
    for (int iy0 = max_i(0, first - b * h); iy0 < iy_end; iy0 += tile_rows) {
      const int rows = min_i(tile_rows, iy_end - iy0);
      const int row_lo = floor_div(iy0 + pt - (kh - 1) * dh, sh);
      const int in_rows = floor_div(iy0 + rows - 1 + pt, sh) - row_lo + 1;
      const int plane_len = in_rows * row_len;
      float *dest = direct ? dx + (b * h + iy0) * w * c : out;
      if (aligned) pack_window(window, image, oh, ow, o, 0, o, row_lo, in_rows, col_lo, cols, 1);
      for (int g0 = 0; g0 < groups; g0 += line_groups) {
        const int g1 = min_i(groups, g0 + line_groups);
        if (!aligned) pack_window(window, image, oh, ow, o, g0 * og, og, row_lo, in_rows, col_lo, cols, 1);
        for (int s = 0; s < cgp; s += chunk_width(cgp, s)) {
          for (int iy = iy0; iy < iy0 + rows; iy++) {
            const int py = iy % sh, ty = iy / sh;
            for (int px = 0; px < sw && px < w; px++) {
              const int *table = tables + (py * sw + px) * phase_ints;
              for (int g = g0; g < g1; g++) {
                const float *win = aligned ? window + g * planes * plane_len : window;
                conv_row(chunk_width(cgp, s), dest + ((iy - iy0) * w + px) * c + g * cg + s, 0, sw * c,
                         ceil_div(w - px, sw), win + (ty + table[1] - row_lo) * row_len, plane_len, planes,
                         table + 2, table[0], packed + g * group_floats + kh * kw * planes * 4 * s, 0, 0, cg - s, 1, 0,
                         0, 0, 0);
              }
            }
          }
        }
      }
      if (!direct) copy_floats(dx + (b * h + iy0) * w * c, out, rows * w * c);
    }
  }
}
