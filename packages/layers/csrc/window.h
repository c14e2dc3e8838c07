/*
 * Geometry of the packed input window of a forward pass (also read by the filter gradient): which
 * input rows and columns one tile of output rows needs, and how long its packed rows are.
 */
#ifndef RESNEXT_WINDOW_H
#define RESNEXT_WINDOW_H

#include "simd.h"

/* Input columns read by a row of `ow` outputs: the window spans them all, stride phases split. */
INLINE int window_cols(int ow, int kw, int sw, int dw) { return (ow - 1) * sw + (kw - 1) * dw + 1; }

/* Floats of one packed window row in one plane (all stride phases). */
INLINE int window_row_len(int ow, int kw, int sw, int dw) { return sw * ceil_div(window_cols(ow, kw, sw, dw), sw) * 4; }

/* Input rows read by `rows` consecutive output rows. */
INLINE int window_rows(int rows, int kh, int sh, int dh) { return (rows - 1) * sh + (kh - 1) * dh + 1; }

/*
 * Output rows per tile, at least one. Two limits: one group's packed window (re-read once per tap)
 * stays within GROUP_BUDGET_BYTES, and the tile's whole input rows plus its whole output rows (all
 * groups touch them, group after group) stay within TILE_BUDGET_BYTES, so the strided per-group
 * reads and writes of neighbouring groups hit cache instead of memory.
 */
INLINE int window_tile_rows(int oh, int kh, int sh, int dh, int row_len, int planes, int in_row_floats,
                            int out_row_floats) {
  int rows = oh;
  while (rows > 1) {
    const int in_rows = window_rows(rows, kh, sh, dh);
    const int group_bytes = in_rows * row_len * planes * 4;
    const int tile_bytes = (2 * in_rows * in_row_floats + rows * out_row_floats) * 4; /* input, its packed copy, output */
    if (group_bytes <= GROUP_BUDGET_BYTES && tile_bytes <= TILE_BUDGET_BYTES) break;
    rows--;
  }
  return rows;
}

/* Whether each group's input channels are whole 4-channel planes, so all groups pack in one pass. */
INLINE int cg_aligned(int c, int groups) { return (c / groups) % 4 == 0; }

/*
 * Input offset of tap (ky, kx) relative to an output pixel's cell in the packed window:
 * rows are not phase-split, columns are (kx * dw lands in phase (kx * dw) % sw).
 */
INLINE int window_tap_offset(int ky, int kx, int dh, int dw, int sw, int row_len) {
  const int col = kx * dw;
  const int per_phase = row_len / (4 * sw);
  return ky * dh * row_len + ((col % sw) * per_phase + col / sw) * 4;
}

#endif
