// A grouped (or dense) convolution over NHWC float32 with any kernel size, stride and padding
// (dilation 1), bias, residual and ReLU applied as each output is stored. AVX2 + FMA: every vector
// holds 8 output channels of one group (groups of 8k output channels and at least 16 inputs: the
// last two stages of a ResNeXt 32x4d; smaller groups run faster on the wasm kernels).
#pragma once
#include <cstddef>

namespace resnext {

struct GroupConvShape {
  int batch, in_h, in_w, in_c;
  int filter_h, filter_w;
  int out_h, out_w, out_c;
  int groups;
  int stride_h, stride_w;
  int pad_top, pad_left;
};

struct GroupConvCall {
  GroupConvShape shape;
  const float* x;         // batch x in_h x in_w x in_c
  const float* filter;    // packed by group_conv_pack
  const float* bias;      // out_c, or null
  const float* residual;  // shaped like y, or null
  float* y;               // batch x out_h x out_w x out_c
  const float* zeros;     // in_c zeros: the row of a tap in the padding
  bool relu;
};

// Whether the kernel computes this geometry: out channels per group a multiple of 8, at least 16
// input channels per group.
bool group_conv_fits(const GroupConvShape& shape);

// Floats of a packed filter (as many as the filter's).
size_t group_conv_packed_floats(const GroupConvShape& shape);

// Packs a filter in tfjs' [filter_h, filter_w, in_c / groups, out_c] layout into blocks of 16
// output channels (the last of 8 where out_c is not a multiple of 16), each block's weights
// contiguous tap by tap and input by input: a block is read as one stream, where the tfjs layout
// puts each input's row out_c floats apart (4 KB at 1024 channels: every row in the same L1 set).
void group_conv_pack(const GroupConvShape& shape, const float* filter, float* packed);

// The call's independent tasks (bands of rows x channel chunks); every output is one FMA chain over taps
// in order and, within a tap, input channels in order, whichever task or thread computes it.
int group_conv_tasks(const GroupConvShape& shape);

// Computes task `task`. Requires AVX2 and FMA.
void group_conv_task(const GroupConvCall& call, int task);

}  // namespace resnext
