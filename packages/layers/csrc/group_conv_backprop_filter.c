/*
 * Filter gradient of a grouped convolution:
 *   dfilter[ky][kx][c][g*og + k] = sum over images and output pixels of
 *     x[oy*sh - pt + ky*dh][ox*sw - pl + kx*dw][g*cg + c] * dy[oy][ox][g*og + k].
 *
 * Per image and tile of output rows, x's window is packed exactly as for the forward pass (zero
 * padding included, so every tap reads every output pixel without bounds checks) and dy's rows
 * are packed into 4-channel planes. For each tap (or pair of horizontally adjacent taps, which
 * share dy) the core accumulates outer products of 4 dy channels (lane-splat) with 4 or 8 x
 * channels over all the tile's pixels in f32x4 locals, then adds them to dfilter.
 *
 * For the kernel threads the tiles (images × row tiles, in order) are cut into parts fixed by the
 * geometry (group_conv_backprop_filter_parts); each part sums its tiles into a partial filter of
 * its own, and sum_parts.c adds the partials in part order.
 */
#include "pack.h"
#include "simd.h"
#include "window.h"

/*
 * acc[t][k][b] = sum over `rows` rows of `pixels` pixels of dy lane k times x vector (t, b),
 * where x vector (t, b) of a pixel is at x + xoff[t] + b * x_plane_len (+4 floats per pixel,
 * + x_row per row) and dy's 4 channels at dy (+4 per pixel, + dy_row per row). T taps x B
 * x-planes (T * B <= 2) keep 8 accumulators, 2 x vectors, dy and one splat in registers.
 * The sums are then added to dfilter: tap t's block starts at dst[t * dst_tap], x channel
 * 4b + lane at + (4b + lane) * dst_c, dy channel k at + k; only the first n_c x channels and
 * n_k dy channels exist.
 */
INLINE void dw_block(const int T, const int B, const float *x, int xoff0, int xoff1, int x_plane_len, int x_row,
                     const float *dy, int dy_row, int rows, int pixels, float *dst, int dst_tap, int dst_c, int n_c,
                     int n_k) {
  v128_t acc[2][4][2];
  UNROLL for (int t = 0; t < T; t++) UNROLL for (int k = 0; k < 4; k++) UNROLL for (int b = 0; b < B; b++)
    acc[t][k][b] = wasm_f32x4_splat(0.0f);
  for (int r = 0; r < rows; r++) {
    const float *xr[2][2];
    UNROLL for (int t = 0; t < T; t++) UNROLL for (int b = 0; b < B; b++) {
      xr[t][b] = x + r * x_row + (t == 0 ? xoff0 : xoff1) + b * x_plane_len;
      OPAQUE(xr[t][b]);
    }
    const float *dr = dy + r * dy_row;
    OPAQUE(dr);
    for (int p = 0; p < pixels; p++) {
      const v128_t d = wasm_v128_load(dr + 4 * p);
      v128_t xv[2][2];
      UNROLL for (int t = 0; t < T; t++) UNROLL for (int b = 0; b < B; b++) xv[t][b] = wasm_v128_load(xr[t][b] + 4 * p);
      UNROLL for (int k = 0; k < 4; k++) {
        const v128_t s = lane_splat(d, k);
        UNROLL for (int t = 0; t < T; t++) UNROLL for (int b = 0; b < B; b++)
          acc[t][k][b] = MADD(acc[t][k][b], s, xv[t][b]);
      }
    }
  }
  UNROLL for (int t = 0; t < T; t++) UNROLL for (int b = 0; b < B; b++) {
    UNROLL for (int k = 0; k < 4; k++) {
      if (k >= n_k) break;
      float *d = dst + t * dst_tap + 4 * b * dst_c + k;
      const v128_t v = acc[t][k][b];
      const int lanes = n_c - 4 * b;
      if (lanes > 0) d[0] += wasm_f32x4_extract_lane(v, 0);
      if (lanes > 1) d[dst_c] += wasm_f32x4_extract_lane(v, 1);
      if (lanes > 2) d[2 * dst_c] += wasm_f32x4_extract_lane(v, 2);
      if (lanes > 3) d[3 * dst_c] += wasm_f32x4_extract_lane(v, 3);
    }
  }
}

/* The (taps, x planes) blocks the driver uses, each its own function for V8 to compile and tier up. */
#define DW_BLOCK(T, B)                                                                                           \
  __attribute__((noinline)) static void dw_block_##T##_##B(const float *x, int xoff0, int xoff1, int x_plane_len, \
                                                          int x_row, const float *dy, int dy_row, int rows,       \
                                                          int pixels, float *dst, int dst_tap, int dst_c, int n_c, \
                                                          int n_k) {                                             \
    dw_block(T, B, x, xoff0, xoff1, x_plane_len, x_row, dy, dy_row, rows, pixels, dst, dst_tap, dst_c, n_c, n_k);  \
  }
DW_BLOCK(1, 1)
DW_BLOCK(1, 2)
DW_BLOCK(2, 1)

INLINE int bpf_tile_rows(int w, int c, int kh, int kw, int o, int groups, int sh, int sw, int dh, int dw, int oh,
                         int ow) {
  const int row_len = window_row_len(ow, kw, sw, dw);
  const int x_planes = ceil_div(c / groups, 4), dy_planes = ceil_div(o / groups, 4);
  int rows = oh;
  while (rows > 1) {
    const int in_rows = window_rows(rows, kh, sh, dh);
    const int group_bytes = (in_rows * row_len * x_planes + rows * ow * 4 * dy_planes) * 4;
    const int tile_bytes = (2 * in_rows * w * c + 2 * rows * ow * o) * 4;
    if (group_bytes <= GROUP_BUDGET_BYTES && tile_bytes <= TILE_BUDGET_BYTES) break;
    rows--;
  }
  return rows;
}

INLINE int bpf_x_floats(int rows, int c, int kh, int kw, int groups, int sh, int sw, int dh, int dw, int ow) {
  const int planes = ceil_div(c / groups, 4);
  return window_rows(rows, kh, sh, dh) * window_row_len(ow, kw, sw, dw) *
         (cg_aligned(c, groups) ? planes * groups : planes);
}

INLINE int bpf_dy_floats(int rows, int o, int groups, int ow) {
  const int planes = ceil_div(o / groups, 4);
  return rows * ow * 4 * (cg_aligned(o, groups) ? planes * groups : planes);
}

/* Bytes of scratch one thread of group_conv_backprop_filter needs: the packed x window and dy rows of a tile. */
EXPORT("group_conv_backprop_filter_scratch")
int group_conv_backprop_filter_scratch(GEOMETRY) {
  const int rows = bpf_tile_rows(w, c, kh, kw, o, groups, sh, sw, dh, dw, oh, ow);
  return 4 * (bpf_x_floats(rows, c, kh, kw, groups, sh, sw, dh, dw, ow) + bpf_dy_floats(rows, o, groups, ow));
}

/* Most parts the batch × pixel sum is cut into: enough for 2, 3 or 4 threads to share evenly. */
#define BPF_MAX_PARTS 12
/* Output pixels per part at least: a part's partial filter costs one add per weight, against `pixels` MACs per weight. */
#define BPF_MIN_PART_PIXELS 256
/* Floats all parts' partial filters may take together (16 MiB). */
#define BPF_PARTIALS_MAX_FLOATS (4 * 1024 * 1024)

/* Tiles of output rows the sum runs over: ceil(oh / tile_rows) per image, images in order. */
INLINE int bpf_tiles(int n, int oh, int tile_rows) { return n * ceil_div(oh, tile_rows); }

/*
 * The number of parts the filter gradient's sum over images and output pixels is cut into. A
 * function of the geometry alone, never of the thread count: each part sums its tiles into a
 * partial filter of its own, and the partials are added in part order (sum_parts), so the result
 * is the same on any number of threads.
 */
EXPORT("group_conv_backprop_filter_parts")
int group_conv_backprop_filter_parts(GEOMETRY) {
  const int tile_rows = bpf_tile_rows(w, c, kh, kw, o, groups, sh, sw, dh, dw, oh, ow);
  const long long filter = (long long)kh * kw * (c / groups) * o;
  long long parts = min_i(BPF_MAX_PARTS, bpf_tiles(n, oh, tile_rows));
  const long long by_pixels = (long long)n * oh * ow / BPF_MIN_PART_PIXELS;
  const long long by_memory = BPF_PARTIALS_MAX_FLOATS / (filter > 0 ? filter : 1);
  if (parts > by_pixels) parts = by_pixels;
  if (parts > by_memory) parts = by_memory;
  return parts < 1 ? 1 : (int)parts;
}

/* Adds one tile's contribution (output rows [oy0, oy0 + rows) of one image) to dfilter. */
INLINE void bpf_tile(const float *ximage, const float *dyimage, float *dfilter, float *xwin, float *dywin, int oy0,
                     int rows, GEOMETRY) {
  const int cg = c / groups, og = o / groups;
  const int x_planes = ceil_div(cg, 4), dy_planes = ceil_div(og, 4);
  const int row_len = window_row_len(ow, kw, sw, dw);
  const int cols = window_cols(ow, kw, sw, dw);
  const int x_aligned = cg_aligned(c, groups), dy_aligned = cg_aligned(o, groups);
  const int dst_tap = cg * o;
  const int in_rows = window_rows(rows, kh, sh, dh);
  const int x_plane_len = in_rows * row_len, dy_plane_len = rows * ow * 4;
  if (x_aligned) pack_window(xwin, ximage, h, w, c, 0, c, oy0 * sh - pt, in_rows, -pl, cols, sw);
  if (dy_aligned) pack_window(dywin, dyimage, oh, ow, o, 0, o, oy0, rows, 0, ow, 1);
  for (int g = 0; g < groups; g++) {
    const float *xg = xwin + (x_aligned ? g * x_planes * x_plane_len : 0);
    const float *dyg = dywin + (dy_aligned ? g * dy_planes * dy_plane_len : 0);
    if (!x_aligned) pack_window(xwin, ximage, h, w, c, g * cg, cg, oy0 * sh - pt, in_rows, -pl, cols, sw);
    if (!dy_aligned) pack_window(dywin, dyimage, oh, ow, o, g * og, og, oy0, rows, 0, ow, 1);
    for (int ky = 0; ky < kh; ky++) {
      for (int kx = 0; kx < kw;) {
        /* Two adjacent taps share each dy load; a lone last tap pairs two x planes instead. */
        const int pair = kx + 1 < kw;
        const int xoff0 = window_tap_offset(ky, kx, dh, dw, sw, row_len);
        const int xoff1 = pair ? window_tap_offset(ky, kx + 1, dh, dw, sw, row_len) : 0;
        for (int qy = 0; qy < dy_planes; qy++) {
          const float *dq = dyg + qy * dy_plane_len;
          for (int qx = 0; qx < x_planes;) {
            const float *xq = xg + qx * x_plane_len;
            float *dst = dfilter + (ky * kw + kx) * dst_tap + 4 * qx * o + g * og + 4 * qy;
            const int n_c = cg - 4 * qx, n_k = og - 4 * qy;
            if (pair) {
              dw_block_2_1(xq, xoff0, xoff1, x_plane_len, sh * row_len, dq, ow * 4, rows, ow, dst, dst_tap, o, n_c, n_k);
              qx += 1;
            } else if (qx + 1 < x_planes) {
              dw_block_1_2(xq, xoff0, 0, x_plane_len, sh * row_len, dq, ow * 4, rows, ow, dst, dst_tap, o, n_c, n_k);
              qx += 2;
            } else {
              dw_block_1_1(xq, xoff0, 0, x_plane_len, sh * row_len, dq, ow * 4, rows, ow, dst, dst_tap, o, n_c, n_k);
              qx += 1;
            }
          }
        }
        kx += pair ? 2 : 1;
      }
    }
  }
}

/*
 * Parts [first, end) of the filter gradient (see runRows in kernel_threads.ts; `parts` from
 * group_conv_backprop_filter_parts): part p overwrites partials + p * (kh * kw * c/groups * o)
 * floats — the filter layout [kh][kw][c/groups][o] — with the sum over its run of tiles, in tile
 * order; with one part that is dfilter itself. x [n][h][w][c] and dy [n][oh][ow][o] for the
 * forward geometry; `scratch_base` holds a group_conv_backprop_filter_scratch share per thread.
 */
EXPORT("group_conv_backprop_filter")
void group_conv_backprop_filter(int slot, int first, int end, const float *x, const float *dy, float *partials,
                                char *scratch_base, int parts, GEOMETRY) {
  const int tile_rows = bpf_tile_rows(w, c, kh, kw, o, groups, sh, sw, dh, dw, oh, ow);
  const int per_image = ceil_div(oh, tile_rows), tiles = bpf_tiles(n, oh, tile_rows);
  const int filter = kh * kw * (c / groups) * o;
  float *xwin = (float *)(scratch_base + (long long)slot * group_conv_backprop_filter_scratch(
                                                              n, h, w, c, kh, kw, o, groups, sh, sw, dh, dw, pt, pl, oh, ow));
  float *dywin = xwin + bpf_x_floats(tile_rows, c, kh, kw, groups, sh, sw, dh, dw, ow);
  end = min_i(end, parts);
  for (int p = first; p < end; p++) {
    float *dfilter = partials + (long long)p * filter;
    for (int i = 0; i < filter; i++) dfilter[i] = 0.0f;
    const int t1 = (int)((long long)(p + 1) * tiles / parts);
    for (int t = (int)((long long)p * tiles / parts); t < t1; t++) {
      const int b = t / per_image, oy0 = (t % per_image) * tile_rows;
      bpf_tile(x + (long long)b * h * w * c, dy + (long long)b * oh * ow * o, dfilter, xwin, dywin, oy0,
               min_i(tile_rows, oh - oy0), n, h, w, c, kh, kw, o, groups, sh, sw, dh, dw, pt, pl, oh, ow);
    }
  }
}
