// Built with -mavx2 -mfma: only reached after cpu_supports_avx2_fma() (cpu_features.cc).
#include "pointwise_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace resnext {
namespace {

// Pixels per register tile: 6 pixels x 16 channels = 12 accumulators, plus two filter vectors and
// one broadcast: 15 of the 16 ymm registers.
constexpr int kTileRows = 6;
// Input channels per pass: a panel's 256 x 16 floats (16 KB) stay in L1 while a pixel block's
// tiles sweep them.
constexpr int kDepth = 256;
// A task: up to this many pixels (a multiple of kTileRows) ...
constexpr int kBlockPixels = 48;
// ... and this many panels (256 channels).
constexpr int kGroupPanels = 16;

struct Blocking {
  int pixels, blocks, block_pixels, panels, groups;
};

Blocking blocking(const PointwiseShape& s) {
  Blocking b;
  b.pixels = s.batch * s.out_h * s.out_w;
  b.blocks = std::max(1, (b.pixels + kBlockPixels - 1) / kBlockPixels);
  // Even blocks: 49 pixels make 30 + 19, not 48 + 1.
  const int per_block = (b.pixels + b.blocks - 1) / b.blocks;
  b.block_pixels = (per_block + kTileRows - 1) / kTileRows * kTileRows;
  b.blocks = (b.pixels + b.block_pixels - 1) / b.block_pixels;
  b.panels = (s.out_c + kPanel - 1) / kPanel;
  b.groups = (b.panels + kGroupPanels - 1) / kGroupPanels;
  return b;
}

// Input row of output pixel `p`.
inline const float* input_row(const PointwiseCall& c, int p) {
  const PointwiseShape& s = c.shape;
  if (s.stride_h == 1 && s.stride_w == 1) return c.x + static_cast<size_t>(p) * s.in_c;
  const int plane = s.out_h * s.out_w;
  const int n = p / plane, r = p % plane, oy = r / s.out_w, ox = r % s.out_w;
  const size_t pixel = (static_cast<size_t>(n) * s.in_h + static_cast<size_t>(oy) * s.stride_h) * s.in_w + static_cast<size_t>(ox) * s.stride_w;
  return c.x + pixel * s.in_c;
}

inline __m256i lane_mask(int valid) {
  alignas(32) int m[8];
  for (int i = 0; i < 8; i++) m[i] = i < valid ? -1 : 0;
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(m));
}

// One tile: channels [channel, channel + 16) of pixels rows[0..5], summed over the `depth` input
// channels of this pass. Tiles of fewer pixels repeat their last pixel's row and store only
// `count` rows. `first`: the pass starting the sum (else the partial sums are read back from y);
// `last`: the pass ending it (then bias, residual and ReLU). `valid`: channels of this panel that
// exist (16 but in the last panel). The 12 accumulators are named variables: GCC keeps an array of
// vectors on the stack and stores it on every step.
template <bool FULL>
void tile(const PointwiseCall& c, const float* const* rows, int count, const float* b, int depth, size_t out_offset, int valid,
          bool first, bool last, int channel) {
  const int out_c = c.shape.out_c;
  const __m256i m0 = lane_mask(std::min(valid, 8)), m1 = lane_mask(std::max(valid - 8, 0));
  const auto load = [&](const float* p, int half) {
    return FULL ? _mm256_loadu_ps(p + 8 * half) : _mm256_maskload_ps(p + 8 * half, half == 0 ? m0 : m1);
  };
  __m256 acc[kTileRows][2];
  for (int r = 0; r < kTileRows; r++) {
    const float* y = c.y + out_offset + static_cast<size_t>(std::min(r, count - 1)) * out_c;
    acc[r][0] = first ? _mm256_setzero_ps() : load(y, 0);
    acc[r][1] = first ? _mm256_setzero_ps() : load(y, 1);
  }
  __m256 c00 = acc[0][0], c01 = acc[0][1], c10 = acc[1][0], c11 = acc[1][1], c20 = acc[2][0], c21 = acc[2][1];
  __m256 c30 = acc[3][0], c31 = acc[3][1], c40 = acc[4][0], c41 = acc[4][1], c50 = acc[5][0], c51 = acc[5][1];
  const float *a0 = rows[0], *a1 = rows[1], *a2 = rows[2], *a3 = rows[3], *a4 = rows[4], *a5 = rows[5];
  for (int k = 0; k < depth; k++) {
    const __m256 b0 = _mm256_loadu_ps(b + kPanel * k), b1 = _mm256_loadu_ps(b + kPanel * k + 8);
    __m256 v = _mm256_broadcast_ss(a0 + k);
    c00 = _mm256_fmadd_ps(v, b0, c00);
    c01 = _mm256_fmadd_ps(v, b1, c01);
    v = _mm256_broadcast_ss(a1 + k);
    c10 = _mm256_fmadd_ps(v, b0, c10);
    c11 = _mm256_fmadd_ps(v, b1, c11);
    v = _mm256_broadcast_ss(a2 + k);
    c20 = _mm256_fmadd_ps(v, b0, c20);
    c21 = _mm256_fmadd_ps(v, b1, c21);
    v = _mm256_broadcast_ss(a3 + k);
    c30 = _mm256_fmadd_ps(v, b0, c30);
    c31 = _mm256_fmadd_ps(v, b1, c31);
    v = _mm256_broadcast_ss(a4 + k);
    c40 = _mm256_fmadd_ps(v, b0, c40);
    c41 = _mm256_fmadd_ps(v, b1, c41);
    v = _mm256_broadcast_ss(a5 + k);
    c50 = _mm256_fmadd_ps(v, b0, c50);
    c51 = _mm256_fmadd_ps(v, b1, c51);
  }
  const __m256 out[kTileRows][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  const __m256 bias0 = last && c.bias != nullptr ? load(c.bias + channel, 0) : _mm256_setzero_ps();
  const __m256 bias1 = last && c.bias != nullptr ? load(c.bias + channel, 1) : _mm256_setzero_ps();
  for (int r = 0; r < count; r++) {
    const size_t at = out_offset + static_cast<size_t>(r) * out_c;
    __m256 v0 = out[r][0], v1 = out[r][1];
    if (last) {
      if (c.bias != nullptr) {
        v0 = _mm256_add_ps(v0, bias0);
        v1 = _mm256_add_ps(v1, bias1);
      }
      if (c.residual != nullptr) {
        v0 = _mm256_add_ps(v0, load(c.residual + at, 0));
        v1 = _mm256_add_ps(v1, load(c.residual + at, 1));
      }
      if (c.relu) {
        v0 = _mm256_max_ps(v0, _mm256_setzero_ps());
        v1 = _mm256_max_ps(v1, _mm256_setzero_ps());
      }
    }
    if (FULL) {
      _mm256_storeu_ps(c.y + at, v0);
      _mm256_storeu_ps(c.y + at + 8, v1);
    } else {
      _mm256_maskstore_ps(c.y + at, m0, v0);
      _mm256_maskstore_ps(c.y + at + 8, m1, v1);
    }
  }
}

}  // namespace

size_t pointwise_packed_floats(int in_c, int out_c) {
  return static_cast<size_t>((out_c + kPanel - 1) / kPanel) * kPanel * in_c;
}

void pointwise_pack(const float* filter, float* packed, int in_c, int out_c) {
  const int panels = (out_c + kPanel - 1) / kPanel;
  for (int p = 0; p < panels; p++) {
    for (int k = 0; k < in_c; k++) {
      float* dst = packed + (static_cast<size_t>(p) * in_c + k) * kPanel;
      for (int j = 0; j < kPanel; j++) {
        const int n = p * kPanel + j;
        dst[j] = n < out_c ? filter[static_cast<size_t>(k) * out_c + n] : 0.0f;
      }
    }
  }
}

int pointwise_tasks(const PointwiseShape& shape) {
  const Blocking b = blocking(shape);
  return b.blocks * b.groups;
}

void pointwise_task(const PointwiseCall& c, int task) {
  const PointwiseShape& s = c.shape;
  const Blocking b = blocking(s);
  const int block = task / b.groups, group = task % b.groups;
  const int p0 = block * b.block_pixels, p1 = std::min(b.pixels, p0 + b.block_pixels);
  const int panel0 = group * kGroupPanels, panel1 = std::min(b.panels, panel0 + kGroupPanels);
  const float* rows[kTileRows];
  for (int k0 = 0; k0 < s.in_c; k0 += kDepth) {
    const int depth = std::min(kDepth, s.in_c - k0);
    const bool first = k0 == 0, last = k0 + depth == s.in_c;
    for (int panel = panel0; panel < panel1; panel++) {
      const int channel = panel * kPanel;
      const int valid = std::min(kPanel, s.out_c - channel);
      const float* bp = c.packed + (static_cast<size_t>(panel) * s.in_c + k0) * kPanel;
      for (int p = p0; p < p1; p += kTileRows) {
        const int n = std::min(kTileRows, p1 - p);
        for (int r = 0; r < kTileRows; r++) rows[r] = input_row(c, p + std::min(r, n - 1)) + k0;
        const size_t at = static_cast<size_t>(p) * s.out_c + channel;
        if (valid == kPanel) tile<true>(c, rows, n, bp, depth, at, valid, first, last, channel);
        else tile<false>(c, rows, n, bp, depth, at, valid, first, last, channel);
      }
    }
  }
}

}  // namespace resnext
