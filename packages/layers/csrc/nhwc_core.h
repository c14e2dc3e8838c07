/*
 * A forward core for 4 input and 4 output channels per group (ResNeXt-50's first stage) that reads
 * the NHWC input in place. There each group's input channels of a pixel are one 16-byte vector,
 * so packing the input into planes would only copy it: at 56x56x128 that copy, memory bound, cost
 * about a quarter of the forward time. Border pixels get tap tables without the taps that fall into
 * the padding instead of zeros to multiply. Measured at 56x56x128, GFLOP/s vs dense conv2d, batch
 * 1 / 8: tools/bench/group_conv2d.mjs 74-76% / 73-76% (the packed path: 65% / 62%);
 * wasm_group_conv.mjs (peers alternating, colder caches) 71% / 64% (packed: 65% / 62%).
 */
#ifndef RESNEXT_NHWC_CORE_H
#define RESNEXT_NHWC_CORE_H

#include "simd.h"

/*
 * A run of `pixels` output pixels in each of `rows` (1 or 2) output rows, every group per pixel
 * block (whole pixels written in order).
 *   y, y_row    first output pixel (all o channels); pixels are `o` floats apart, rows y_row
 *   res         null, or a residual laid out like y, added after the bias and before the ReLU
 *   x, x_row    the first pixel's input origin; pixels are x_step floats apart, rows x_row, group g
 *               at x + 4 g
 *   taps        ntaps pairs (input offset from the origin in floats, filter tap index), all rows alike
 *   w           filter packed by pack_filter with cg = og = 4: [group][tap][4][4], w_group floats a group
 *   bias        groups * 4 biases or null; relu != 0 clamps at zero
 */
void nhwc_conv_row(float *y, const float *res, int o, int y_row, int rows, int pixels, const float *x, int x_step, int x_row,
                   const int *taps, int ntaps, const float *w, int w_group, const float *bias, int relu, int groups);

#endif
