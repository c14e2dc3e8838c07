/*
 * The register-blocked core shared by the forward pass and the input gradient: PB output pixels
 * x N output channels (N = 4, 8, 16, or 24 in the relaxed-SIMD build) accumulated in f32x4 locals over a table of taps.
 *
 * The input is a packed window (pack_window): 4-channel planes in which consecutive output pixels
 * are consecutive 16-byte cells, so every load in the inner loop is a constant offset from one
 * pointer. The filter is packed (pack_filter) as [tap][in channel][N], so the N/4 weight vectors
 * of an input channel are contiguous and are loaded once for all PB pixels of a block.
 */
#ifndef RESNEXT_CONV_CORE_H
#define RESNEXT_CONV_CORE_H

#include "simd.h"

/*
 * A run of `pixels` output pixels of one output row, chunk width N (4, 8, 16 or WIDE_CHUNK).
 *   y, y_step   first output pixel's chunk and the float distance between pixels
 *   res         null, or a residual laid out like y (same offsets from res as from y), added
 *               after the bias and before the ReLU
 *   x           packed window at the first pixel (plane 0); pixels are 4 floats apart
 *   plane_len   floats between input planes; planes = input channels / 4, rounded up
 *   taps        ntaps pairs (input offset in floats, filter tap index)
 *   w           packed filter chunk [tap][planes * 4][N]
 *   bias        N biases or null; relu != 0 clamps at zero
 *   valid       output channels of the chunk that exist (< N only in a padded last chunk)
 *   groups      groups to run per pixel block, group g at y + g * y_group, x + g * x_group,
 *               res + g * y_group, w + g * w_group and bias + g * b_group (1 for a single group)
 */
void conv_row(int n, float *y, const float *res, int y_step, int pixels, const float *x, int plane_len, int planes, const int *taps,
              int ntaps, const float *w, const float *bias, int relu, int valid, int groups, int y_group, int x_group,
              int w_group, int b_group);

/*
 * conv_row for a 1x1 filter of one group on an NHWC input read in place (no packed window):
 * pixel i's input channels start at x + i * px_step, planes = channels / 4 (a multiple of 4);
 * w is the packed chunk [planes * 4][N]. Same instructions and order as conv_row: same results.
 */
void pointwise_row(int n, float *y, const float *res, int y_step, int pixels, const float *x, int px_step, int planes,
                   const float *w, const float *bias, int relu, int valid);

#endif
