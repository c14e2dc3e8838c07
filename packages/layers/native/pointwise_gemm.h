// A 1x1 convolution over NHWC float32 as a GEMM, [pixels x in] x [in x out], with the bias,
// residual and ReLU of a ResNeXt block applied as each output is stored. AVX2 + FMA (8 lanes),
// twice the width of WebAssembly SIMD: this is what the wasm kernels cannot reach.
#pragma once
#include <cstddef>

namespace resnext {

struct PointwiseShape {
  int batch, in_h, in_w, in_c;
  int out_h, out_w, out_c;
  int stride_h, stride_w;
};

struct PointwiseCall {
  PointwiseShape shape;
  const float* x;         // batch x in_h x in_w x in_c
  const float* packed;    // from pointwise_pack
  const float* bias;      // out_c, or null
  const float* residual;  // shaped like y, or null
  float* y;               // batch x out_h x out_w x out_c
  bool relu;
};

// Output channels per packed panel: two 8-lane vectors.
constexpr int kPanel = 16;

// Floats of the packed filter: panels of kPanel output channels, each in_c rows of kPanel floats
// (the last panel zero-padded).
size_t pointwise_packed_floats(int in_c, int out_c);

// Packs a [in_c x out_c] filter (tfjs' 1x1 HWIO layout) into panels.
void pointwise_pack(const float* filter, float* packed, int in_c, int out_c);

// The work of one call in independent tasks (blocks of pixels x groups of panels); every output
// is summed over the input channels in order by one FMA chain, whichever task or thread computes
// it, so results do not depend on how tasks are shared between threads.
int pointwise_tasks(const PointwiseShape& shape);

// Computes task `task` of the call. Requires AVX2 and FMA (see cpu_supports_avx2_fma).
void pointwise_task(const PointwiseCall& call, int task);

bool cpu_supports_avx2_fma();

}  // namespace resnext
