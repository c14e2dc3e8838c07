/*
 * Packing of tensor windows and filters into the layouts the SIMD cores read with constant offsets.
 */
#ifndef RESNEXT_PACK_H
#define RESNEXT_PACK_H

#include "simd.h"

/*
 * Copies a zero-padded window of one NHWC image into 4-channel planes.
 *
 * The window is rows [r0, r0 + rows) and columns [c0, c0 + cols) of channels [ch0, ch0 + count)
 * of `img` (height h, width w, c channels); anything outside the image or past `count` is zero.
 * Columns are split into `phases` interleaved phases so that a stride-`phases` walk over the
 * window becomes a unit-stride walk: the layout is
 *   dst[plane][row][phase][i][4], column c0 + phase + phases * i, i < ceil(cols / phases).
 * A plane therefore holds rows * phases * ceil(cols / phases) * 4 floats.
 */
void pack_window(float *dst, const float *img, int h, int w, int c, int ch0, int count, int r0, int rows,
                 int c0, int cols, int phases);

/*
 * Packs group by group the taps x in-channels x out-channels matrices of an HWIO filter
 * [taps][cg][o] (o = groups * og) for the output-chunked cores:
 *   dst[g][chunk][tap][ci < inPadded][lane < chunkWidth], chunk k starting at out channel s_k,
 * the chunks cut by chunk_width_upto(_, _, widest).
 * With transpose = 0 the cores' inputs are the filter's input channels (forward);
 * with transpose = 1 they are its output channels (the input gradient). Padding is zero.
 */
void pack_filter(float *dst, const float *filter, int taps, int cg, int o, int groups, int transpose, int widest);

/*
 * The widest output-channel chunk of a forward-packed filter (chunk_width_upto): WIDE_CHUNK for a
 * one-group 1x1 GEMM if `wide` (the caller's choice: whether the runtime keeps the wide core in
 * registers), else 16. The same `wide` must reach packing and the forward pass.
 */
int forward_chunk_widest(int c, int kh, int kw, int o, int groups, int wide);

/* Number of floats pack_filter writes. */
int packed_filter_floats(int taps, int cg, int o, int groups);

/*
 * Exported: bytes of a filter packed for this geometry, and the packing itself
 * (transpose = 0 for group_conv_forward, with its `wide`; 1 for group_conv_backprop_input).
 */
int group_conv_packed_filter_bytes(GEOMETRY);
void group_conv_pack_filter(float *dst, const float *filter, int transpose, int wide, GEOMETRY);

#endif
