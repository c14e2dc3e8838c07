/*
 * Forward grouped convolution y = act(conv(x, filter) + bias + residual), NHWC, filter
 * [kh][kw][c/groups][o]; bias and residual are optional. The residual (a ResNet shortcut) joins in
 * the store, saving the separate Add and ReLU passes over the block output.
 *
 * Per image and tile of output rows: the tile's input window is packed (zero padding included,
 * so no pixel needs bounds checks), then every group's output-channel chunks run through conv_row.
 * Run group after group, each writes only its few channels of every output pixel: fine while y
 * stays in cache, but a larger y would take a read-for-ownership miss per line and group, so its
 * tile is then computed in a cache-resident copy and streamed to y sequentially. A small filter
 * instead runs all groups per pixel block, writing y in order. With 4 input and 4 output channels
 * per group the input is not packed at all: nhwc_core.h reads it in place.
 */
#include "conv_core.h"
#include "nhwc_core.h"
#include "pack.h"
#include "window.h"

#define ALL_GROUPS_MAX_FILTER_BYTES (24 * 1024)

/*
 * Whether every group runs per pixel block (see conv_row): when the whole packed filter stays in
 * L1, cycling through it per block is cheaper than revisiting the output once per group, and each
 * block then writes whole output pixels in order. Each group must be one unpadded chunk.
 */
INLINE int fwd_all_groups(int c, int kh, int kw, int o, int groups) {
  const int og = o / groups;
  return cg_aligned(c, groups) && og % 4 == 0 && chunk_width(og, 0) == og &&
         packed_filter_floats(kh * kw, c / groups, o, groups) * 4 <= ALL_GROUPS_MAX_FILTER_BYTES;
}

int forward_chunk_widest(int c, int kh, int kw, int o, int groups, int wide) {
  return wide && kh == 1 && kw == 1 && groups == 1 && c % 4 == 0 && !fwd_all_groups(c, kh, kw, o, groups) ? WIDE_CHUNK : 16;
}

/* Whether y is written in place: sequentially (all groups per block), or small enough to stay in cache. */
INLINE int fwd_direct(int n, int c, int kh, int kw, int o, int groups, int oh, int ow) {
  return fwd_all_groups(c, kh, kw, o, groups) || output_in_cache(n, oh * ow * o);
}

INLINE int fwd_bias_floats(int o, int groups) { return groups * round4(o / groups); }
INLINE int fwd_taps_floats(int kh, int kw) { return round4(2 * kh * kw); }

/*
 * Whether a 1x1 convolution of one group reads its NHWC input in place (pointwise_row) instead of
 * packing it: with one tap every pixel's channels are already contiguous, so the packing would
 * only copy the input (about the size of a ResNeXt-50 activation map per call).
 */
INLINE int fwd_pointwise_inplace(int c, int kh, int kw, int o, int groups, int pt, int pl) {
  return kh == 1 && kw == 1 && groups == 1 && c % 4 == 0 && pt == 0 && pl == 0 && !fwd_all_groups(c, kh, kw, o, groups);
}

/*
 * Output rows per tile for these shapes (see window_tile_rows). The in-place 1x1 packs no window:
 * its tiles take as many rows as keep their input and output rows within TILE_BUDGET_BYTES, so
 * that each chunk's weights, streamed once per tile, serve all those rows (one-row tiles streamed
 * the whole filter once per row: 8 MB seven times per call at 7x7x1024 -> 2048).
 */
INLINE int fwd_tile_rows(int w, int c, int kh, int kw, int o, int groups, int sh, int sw, int dh, int dw, int pt, int pl,
                         int oh, int ow) {
  if (fwd_pointwise_inplace(c, kh, kw, o, groups, pt, pl)) return max_i(1, min_i(oh, TILE_BUDGET_BYTES / (4 * (w * c + ow * o))));
  return window_tile_rows(oh, kh, sh, dh, window_row_len(ow, kw, sw, dw), ceil_div(c / groups, 4), w * c, ow * o);
}

/* Floats of the packed input window of a tile: every group's planes when they pack in one pass (none in place). */
INLINE int fwd_window_floats(int rows, int c, int kh, int kw, int o, int groups, int sh, int sw, int dh, int dw, int pt, int pl,
                             int ow) {
  if (fwd_pointwise_inplace(c, kh, kw, o, groups, pt, pl)) return 0;
  const int planes = ceil_div(c / groups, 4);
  return window_rows(rows, kh, sh, dh) * window_row_len(ow, kw, sw, dw) *
         (cg_aligned(c, groups) ? planes * groups : planes);
}


/* Whether the input is read in place by nhwc_conv_row: 4 input and 4 output channels per group. */
INLINE int fwd_nhwc(int c, int o, int groups) { return c / groups == 4 && o / groups == 4; }

/*
 * Taps of output pixel (oy, ox) that fall inside the image, as (offset, filter tap) pairs relative
 * to the first of them (the padding contributes zeros, so the others are left out). Returns their
 * count and sets *origin to the first one's input offset (0 if there is none), so no pointer ever
 * leaves the image. For an interior column the table serves every interior column of the row.
 */
INLINE int nhwc_taps(int *taps, int *origin, int oy, int ox, GEOMETRY) {
  const int iy = oy * sh - pt, ix = ox * sw - pl;
  const int ky0 = max_i(0, ceil_div(-iy, dh)), ky1 = min_i(kh, floor_div(h - 1 - iy, dh) + 1);
  const int kx0 = max_i(0, ceil_div(-ix, dw)), kx1 = min_i(kw, floor_div(w - 1 - ix, dw) + 1);
  int count = 0;
  *origin = 0;
  if (ky0 >= ky1 || kx0 >= kx1) return 0;
  *origin = ((iy + ky0 * dh) * w + ix + kx0 * dw) * c;
  for (int ky = ky0; ky < ky1; ky++) {
    for (int kx = kx0; kx < kx1; kx++, count++) {
      taps[2 * count] = ((ky - ky0) * dh * w + (kx - kx0) * dw) * c;
      taps[2 * count + 1] = ky * kw + kx;
    }
  }
  return count;
}

/*
 * The forward pass for 4 in / 4 out channels per group, on the NHWC input in place: per output
 * row, the columns whose taps all lie inside the image share one tap table and run in register
 * blocks; the few border columns each get their own table.
 */
INLINE void fwd_nhwc_run(const float *x, const float *packed, const float *bias, const float *residual, float *y,
                         int *taps, int relu,
                         int first, int end, GEOMETRY) {
  const int ntaps = kh * kw;
  int *row_taps = taps, *pixel_taps = taps + 2 * ntaps;
  /* Columns [lo, hi) read only columns inside the image. */
  const int lo = min_i(ow, ceil_div(pl, sw));
  const int hi = max_i(lo, min_i(ow, floor_div(w - 1 + pl - (kw - 1) * dw, sw) + 1));
  for (int b = first / oh; b * oh < end; b++) {
    const float *image = x + b * h * w * c;
    const int oy_end = min_i(oh, end - b * oh);
    for (int oy = max_i(0, first - b * oh); oy < oy_end; oy++) {
      /* Two rows at once (sharing weight loads and input lines) when both have all kh tap rows inside. */
      const int pair = oy + 1 < oy_end && oy * sh - pt >= 0 && (oy + 1) * sh - pt + (kh - 1) * dh <= h - 1;
      const int rows = pair ? 2 : 1;
      float *yrow = y + (b * oh + oy) * ow * o;
      const float *rrow = residual ? residual + (b * oh + oy) * ow * o : 0;
      int origin;
      if (hi > lo) {
        const int count = nhwc_taps(row_taps, &origin, oy, lo, n, h, w, c, kh, kw, o, groups, sh, sw, dh, dw, pt,
                                    pl, oh, ow);
        nhwc_conv_row(yrow + lo * o, rrow ? rrow + lo * o : 0, o, ow * o, rows, hi - lo, image + origin, sw * c, sh * w * c, row_taps, count,
                      packed, ntaps * 16, bias, relu, groups);
      }
      for (int r = 0; r < rows; r++) {
        for (int ox = 0; ox < ow; ox++) {
          if (ox == lo && hi > lo) ox = hi;
          if (ox >= ow) break;
          const int count = nhwc_taps(pixel_taps, &origin, oy + r, ox, n, h, w, c, kh, kw, o, groups, sh, sw, dh, dw,
                                      pt, pl, oh, ow);
          nhwc_conv_row(yrow + r * ow * o + ox * o, rrow ? rrow + r * ow * o + ox * o : 0, o, 0, 1, 1, image + origin, sw * c, 0, pixel_taps, count, packed,
                        ntaps * 16, bias, relu, groups);
        }
      }
      oy += rows - 1;
    }
  }
}

/* Bytes of scratch one part of group_conv_forward needs: packed bias, tap table, input window, output rows. */
EXPORT("group_conv_forward_scratch")
int group_conv_forward_scratch(GEOMETRY) {
  if (fwd_nhwc(c, o, groups)) return 4 * round4(4 * kh * kw); /* two tap tables */
  const int rows = fwd_tile_rows(w, c, kh, kw, o, groups, sh, sw, dh, dw, pt, pl, oh, ow);
  const int out_tile = fwd_direct(n, c, kh, kw, o, groups, oh, ow) ? 0 : round4(rows * ow * o);
  return 4 * (fwd_bias_floats(o, groups) + fwd_taps_floats(kh, kw) +
              round4(fwd_window_floats(rows, c, kh, kw, o, groups, sh, sw, dh, dw, pt, pl, ow)) + out_tile);
}

/*
 * Whether output channels can be split between calls: one group, output written in place (a tile
 * copy would overwrite the other calls' channels), not the per-pixel all-groups or NHWC cores.
 */
INLINE int fwd_channel_split(int n, int c, int kh, int kw, int o, int groups, int oh, int ow) {
  return groups == 1 && !fwd_nhwc(c, o, groups) && !fwd_all_groups(c, kh, kw, o, groups) &&
         output_in_cache(n, oh * ow * o);
}

/*
 * How many channel parts group_conv_forward should cut this convolution into for `threads`
 * threads (1: split by rows only). Cut by rows, every run of rows streams the whole filter; cut by
 * channels, every part packs the whole input. So channels are split when the filter outweighs the
 * input (ResNeXt-50's last stages: 7x7 or 14x14 pixels, up to 2048 x 1024 weights), which also
 * balances threads where there are fewer rows than runs (7 rows on 2 threads: 4 against 3).
 * `wide` as for group_conv_forward: parts are whole chunks.
 */
EXPORT("group_conv_forward_parts")
int group_conv_forward_parts(int threads, int wide, GEOMETRY) {
  if (threads < 2 || !fwd_channel_split(n, c, kh, kw, o, groups, oh, ow)) return 1;
  if ((long long)kh * kw * c * o <= (long long)n * h * w * c) return 1;
  /* One chunk a part: each chunk streams the whole input anyway, so finer parts cost
     nothing, and threads taking shrinking runs of them (kernel_threads.ts) end within a chunk. */
  return ceil_div(round4(o), forward_chunk_widest(c, kh, kw, o, groups, wide));
}

/*
 * Output channels [s0, s1) of output rows [first, end) (see group_conv_forward); s0 and s1 lie on
 * the chunk grid (multiples of forward_chunk_widest; s1 may be the padded channel count), or span
 * every channel.
 */
INLINE void fwd_rows(float *scratch, int first, int end, int s0, int s1, const float *x, const float *packed,
                     const float *bias, const float *residual, float *y, int relu, int wide, GEOMETRY) {
  const int cg = c / groups, og = o / groups, ogp = round4(og);
  const int planes = ceil_div(cg, 4);
  const int ntaps = kh * kw;
  const int row_len = window_row_len(ow, kw, sw, dw);
  const int cols = window_cols(ow, kw, sw, dw);
  const int tile_rows = fwd_tile_rows(w, c, kh, kw, o, groups, sh, sw, dh, dw, pt, pl, oh, ow);
  const int aligned = cg_aligned(c, groups);
  /* Groups sharing a 64-byte line of output run row by row together, so each line fills at once. */
  const int line_groups = aligned ? max_i(1, 16 / og) : 1;
  const int group_floats = ntaps * planes * 4 * ogp;
  const int all_groups = fwd_all_groups(c, kh, kw, o, groups);
  const int widest = forward_chunk_widest(c, kh, kw, o, groups, wide);
  const int direct = fwd_direct(n, c, kh, kw, o, groups, oh, ow);
  const int inplace = fwd_pointwise_inplace(c, kh, kw, o, groups, pt, pl);

  if (fwd_nhwc(c, o, groups)) {
    fwd_nhwc_run(x, packed, bias, residual, y, (int *)scratch, relu, first, end, n, h, w, c, kh, kw, o, groups, sh, sw, dh, dw,
                 pt, pl, oh, ow);
    return;
  }
  float *packed_bias = scratch;
  int *taps = (int *)(packed_bias + fwd_bias_floats(o, groups));
  float *window = (float *)taps + fwd_taps_floats(kh, kw);
  float *out = window + fwd_window_floats(tile_rows, c, kh, kw, o, groups, sh, sw, dh, dw, pt, pl, ow);

  if (bias) {
    /* Only the channels [s0, s1) of this part: a run of one chunk of a wide layer packs 16 biases, not all. */
    for (int g = 0; g < groups; g++)
      for (int k = s0; k < min_i(s1, ogp); k++) packed_bias[g * ogp + k] = k < og ? bias[g * og + k] : 0.0f;
  }
  for (int ky = 0; ky < kh; ky++) {
    for (int kx = 0; kx < kw; kx++) {
      const int t = ky * kw + kx;
      taps[2 * t] = window_tap_offset(ky, kx, dh, dw, sw, row_len);
      taps[2 * t + 1] = t;
    }
  }

  for (int b = first / oh; b * oh < end; b++) {
    const float *image = x + b * h * w * c;
    const int oy_end = min_i(oh, end - b * oh);
    for (int oy0 = max_i(0, first - b * oh); oy0 < oy_end; oy0 += tile_rows) {
      const int rows = min_i(tile_rows, oy_end - oy0);
      const int in_rows = window_rows(rows, kh, sh, dh);
      float *dest = direct ? y + (b * oh + oy0) * ow * o : out;
      /* The residual is read where the tile's rows sit in y, whichever buffer they are computed in. */
      const float *res = residual ? residual + (b * oh + oy0) * ow * o : 0;
      const int plane_len = in_rows * row_len;
      const int iy0 = oy0 * sh - pt;
      /* With whole 4-channel planes per group, one sequential pass packs every group's window. */
      if (aligned && !inplace) pack_window(window, image, h, w, c, 0, c, iy0, in_rows, -pl, cols, sw);
      if (all_groups) {
        /* Small filter: every group per pixel block, so whole output pixels are written in order. */
        for (int r = 0; r < rows; r++) {
          conv_row(ogp, dest + r * ow * o, res ? res + r * ow * o : 0, o, ow, window + r * sh * row_len, plane_len, planes, taps, ntaps, packed,
                   bias ? packed_bias : 0, relu, og, groups, og, planes * plane_len, group_floats, ogp);
        }
      } else {
        for (int g0 = 0; g0 < groups; g0 += line_groups) {
          const int g1 = min_i(groups, g0 + line_groups);
          if (!aligned) pack_window(window, image, h, w, c, g0 * cg, cg, iy0, in_rows, -pl, cols, sw);
          for (int s = s0; s < s1; s += chunk_width_upto(ogp, s, widest)) {
            if (inplace && sh == 1 && sw == 1) {
              /* Stride 1: the tile's rows are one run of contiguous pixels in x, y and the residual,
                 so they go as one row (fewer short tail blocks on 7- or 14-pixel rows). */
              pointwise_row(chunk_width_upto(ogp, s, widest), dest + s, res ? res + s : 0, o, rows * ow, image + iy0 * w * c, c,
                            planes, packed + planes * 4 * s, bias ? packed_bias + s : 0, relu, og - s);
              continue;
            }
            for (int r = 0; r < rows; r++) {
              if (inplace) {
                /* One group, one tap: row oy0 + r reads input row (oy0 + r) * sh, every sw-th pixel. */
                pointwise_row(chunk_width_upto(ogp, s, widest), dest + r * ow * o + s, res ? res + r * ow * o + s : 0, o, ow,
                              image + (iy0 + r * sh) * w * c, sw * c, planes, packed + planes * 4 * s,
                              bias ? packed_bias + s : 0, relu, og - s);
                continue;
              }
              for (int g = g0; g < g1; g++) {
                const float *win = aligned ? window + g * planes * plane_len : window;
                conv_row(chunk_width_upto(ogp, s, widest), dest + r * ow * o + g * og + s,
                         res ? res + r * ow * o + g * og + s : 0, o, ow, win + r * sh * row_len,
                         plane_len, planes, taps, ntaps, packed + g * group_floats + ntaps * planes * 4 * s,
                         bias ? packed_bias + g * ogp + s : 0, relu, og - s, 1, 0, 0, 0, 0);
              }
            }
          }
        }
      }
      if (!direct) copy_floats(y + (b * oh + oy0) * ow * o, out, rows * ow * o);
    }
  }
}

/*
 * y [n][oh][ow][o] = act(groupConv(x [n][h][w][c], filter) + bias + residual [n][oh][ow][o]), bias
 * and residual may be null, relu != 0 applies ReLU. `packed` is the filter packed by
 * group_conv_pack_filter (transpose = 0) with the same `wide` (see forward_chunk_widest).
 *
 * The work is `parts` x (n * oh) units: unit u is output row u % (n * oh) (rows counted image
 * after image) of channel part u / (n * oh), a run of whole chunks (parts from
 * group_conv_forward_parts; 1 = all channels). Calls over units [first, end) can share the work
 * between threads: every output value is computed by the same instructions whatever the split
 * and the number of parts, so results are bit-identical to one call over everything. Where
 * channels cannot be split, part 0 computes every channel and the other parts nothing.
 * `scratch_base` has group_conv_forward_scratch bytes per thread; thread `slot` uses its own share.
 */
EXPORT("group_conv_forward")
void group_conv_forward(int slot, int first, int end, const float *x, const float *packed, const float *bias,
                        const float *residual, float *y, char *scratch_base, int relu, int parts, int wide, GEOMETRY) {
  float *scratch = (float *)(scratch_base + (long long)slot * group_conv_forward_scratch(n, h, w, c, kh, kw, o, groups,
                                                                                        sh, sw, dh, dw, pt, pl, oh, ow));
  const int rows = n * oh, ogp = round4(o / groups), widest = forward_chunk_widest(c, kh, kw, o, groups, wide);
  const int chunks = ceil_div(ogp, widest);
  const int split = parts > 1 && fwd_channel_split(n, c, kh, kw, o, groups, oh, ow);
  end = min_i(end, max_i(parts, 1) * rows);
  for (int u = first; u < end;) {
    const int part = u / rows, r0 = u % rows, r1 = min_i(rows, r0 + (end - u));
    int s0 = 0, s1 = part == 0 ? ogp : 0;
    if (split) {
      /* Part p: chunks [p * chunks / parts, (p + 1) * chunks / parts) of `widest` channels (the last
         part ends with the narrower ones). */
      s0 = widest * (int)((long long)part * chunks / parts);
      s1 = min_i(ogp, widest * (int)((long long)(part + 1) * chunks / parts));
    }
    if (s0 < s1) {
      fwd_rows(scratch, r0, r1, s0, s1, x, packed, bias, residual, y, relu, wide, n, h, w, c, kh, kw, o, groups, sh, sw, dh,
               dw, pt, pl, oh, ow);
    }
    u += r1 - r0;
  }
}
