// Built with -mavx2 -mfma: only reached after cpu_supports_avx2_fma() (cpu_features.cc).
#include "group_conv.h"

#include <immintrin.h>

#include <algorithm>
#include <cstddef>

namespace resnext {
namespace {

// Output pixels per register tile (along a row) and 8-channel vectors per tile: 8 accumulators.
constexpr int kPixels = 4;
constexpr int kVectors = 2;
// Fewer input channels per group than this run faster on the wasm kernels, which read small groups
// in place (ResNeXt-50 at batch 8, 2 threads: groups of 4 and 8 inputs 1.4-1.7x slower here; of 16
// and 32 on 14x14 and 7x7 inputs 1.3-1.8x faster, the stride-2 one on a 28x28 input 1.4x slower;
// the network as a whole 6-9% faster with the rule than without native grouped convolutions).
constexpr int kMinInPerGroup = 16;
// A task: this many output channels ...
constexpr int kChunk = 64;
// ... over rows of at least this many output pixels together. Inside a task each 16-channel block
// runs over all its pixels before the next block: the block's weights (9 taps x 32 inputs x 16
// outputs = 18 KB at ResNeXt's widest groups) stay in L1 while they serve every pixel.
constexpr int kBandPixels = 64;

int chunks(const GroupConvShape& s) { return (s.out_c + kChunk - 1) / kChunk; }

// One tile: output pixels ox0 .. ox0 + count - 1 of row (n, oy) (tiles of fewer pixels repeat the
// last one and store only `count`), `vectors` vectors of 8 channels from `channel` on.
template <int VECTORS>
void tile(const GroupConvCall& c, int n, int oy, int ox0, int count, int channel) {
  const GroupConvShape& s = c.shape;
  const int in_g = s.in_c / s.groups, out_g = s.out_c / s.groups;
  // The first input channel each vector reads: its group's.
  int in0[VECTORS];
  for (int v = 0; v < VECTORS; v++) in0[v] = (channel + 8 * v) / out_g * in_g;
  // Named accumulators (pixel i, vector v): GCC keeps an array of vectors in memory and stores it
  // on every step. With one vector the second column is dead code.
  __m256 a00 = _mm256_setzero_ps(), a10 = a00, a20 = a00, a30 = a00, a01 = a00, a11 = a00, a21 = a00, a31 = a00;
  const bool two = VECTORS == 2;
  constexpr int width = 8 * VECTORS;
  const size_t block = static_cast<size_t>(channel) * s.filter_h * s.filter_w * in_g;
  for (int ky = 0; ky < s.filter_h; ky++) {
    const int iy = oy * s.stride_h - s.pad_top + ky;
    const bool row_in = iy >= 0 && iy < s.in_h;
    for (int kx = 0; kx < s.filter_w; kx++) {
      const float* px[kPixels];
      for (int i = 0; i < kPixels; i++) {
        const int ix = (ox0 + std::min(i, count - 1)) * s.stride_w - s.pad_left + kx;
        px[i] = row_in && ix >= 0 && ix < s.in_w ? c.x + ((static_cast<size_t>(n) * s.in_h + iy) * s.in_w + ix) * s.in_c : c.zeros;
      }
      const float *p0 = px[0], *p1 = px[1], *p2 = px[2], *p3 = px[3];
      // This block's weights for the tap: in_g rows of `width` channels (see group_conv_pack).
      const float* w = c.filter + block + static_cast<size_t>(ky * s.filter_w + kx) * in_g * width;
      const int i0 = in0[0], i1 = in0[VECTORS - 1];
      for (int q = 0; q < in_g; q++) {
        const __m256 w0 = _mm256_loadu_ps(w + static_cast<size_t>(q) * width);
        a00 = _mm256_fmadd_ps(_mm256_broadcast_ss(p0 + i0 + q), w0, a00);
        a10 = _mm256_fmadd_ps(_mm256_broadcast_ss(p1 + i0 + q), w0, a10);
        a20 = _mm256_fmadd_ps(_mm256_broadcast_ss(p2 + i0 + q), w0, a20);
        a30 = _mm256_fmadd_ps(_mm256_broadcast_ss(p3 + i0 + q), w0, a30);
        if (two) {
          const __m256 w1 = _mm256_loadu_ps(w + static_cast<size_t>(q) * width + 8);
          a01 = _mm256_fmadd_ps(_mm256_broadcast_ss(p0 + i1 + q), w1, a01);
          a11 = _mm256_fmadd_ps(_mm256_broadcast_ss(p1 + i1 + q), w1, a11);
          a21 = _mm256_fmadd_ps(_mm256_broadcast_ss(p2 + i1 + q), w1, a21);
          a31 = _mm256_fmadd_ps(_mm256_broadcast_ss(p3 + i1 + q), w1, a31);
        }
      }
    }
  }
  const __m256 out[kPixels][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}};
  for (int i = 0; i < count; i++) {
    const size_t at = ((static_cast<size_t>(n) * s.out_h + oy) * s.out_w + ox0 + i) * s.out_c + channel;
    for (int v = 0; v < VECTORS; v++) {
      __m256 r = out[i][v];
      if (c.bias != nullptr) r = _mm256_add_ps(r, _mm256_loadu_ps(c.bias + channel + 8 * v));
      if (c.residual != nullptr) r = _mm256_add_ps(r, _mm256_loadu_ps(c.residual + at + 8 * v));
      if (c.relu) r = _mm256_max_ps(r, _mm256_setzero_ps());
      _mm256_storeu_ps(c.y + at + 8 * v, r);
    }
  }
}

int band_rows(const GroupConvShape& s) { return std::min(s.out_h, std::max(1, (kBandPixels + s.out_w - 1) / s.out_w)); }

int bands(const GroupConvShape& s) { return s.batch * ((s.out_h + band_rows(s) - 1) / band_rows(s)); }

void band(const GroupConvCall& c, int n, int oy0, int oy1, int c0, int c1) {
  const int w = c.shape.out_w;
  int channel = c0;
  for (; channel + 8 * kVectors <= c1; channel += 8 * kVectors)
    for (int oy = oy0; oy < oy1; oy++)
      for (int ox = 0; ox < w; ox += kPixels) tile<kVectors>(c, n, oy, ox, std::min(kPixels, w - ox), channel);
  for (; channel < c1; channel += 8)
    for (int oy = oy0; oy < oy1; oy++)
      for (int ox = 0; ox < w; ox += kPixels) tile<1>(c, n, oy, ox, std::min(kPixels, w - ox), channel);
}

}  // namespace

bool group_conv_fits(const GroupConvShape& s) {
  if (s.groups < 1 || s.in_c % s.groups != 0 || s.out_c % s.groups != 0) return false;
  return (s.out_c / s.groups) % 8 == 0 && s.in_c / s.groups >= kMinInPerGroup;
}

size_t group_conv_packed_floats(const GroupConvShape& s) {
  return static_cast<size_t>(s.filter_h) * s.filter_w * (s.in_c / s.groups) * s.out_c;
}

void group_conv_pack(const GroupConvShape& s, const float* filter, float* packed) {
  const int taps = s.filter_h * s.filter_w, in_g = s.in_c / s.groups;
  for (int channel = 0; channel < s.out_c; channel += 16) {
    const int width = std::min(16, s.out_c - channel);
    float* dst = packed + static_cast<size_t>(channel) * taps * in_g;
    for (int t = 0; t < taps; t++)
      for (int q = 0; q < in_g; q++)
        for (int j = 0; j < width; j++) *dst++ = filter[(static_cast<size_t>(t) * in_g + q) * s.out_c + channel + j];
  }
}

int group_conv_tasks(const GroupConvShape& s) { return bands(s) * chunks(s); }

void group_conv_task(const GroupConvCall& c, int task) {
  const GroupConvShape& s = c.shape;
  const int per_band = chunks(s);
  const int b = task / per_band, chunk = task % per_band;
  const int bands_per_image = bands(s) / s.batch;
  const int n = b / bands_per_image, oy0 = (b % bands_per_image) * band_rows(s), oy1 = std::min(s.out_h, oy0 + band_rows(s));
  const int c0 = chunk * kChunk, c1 = std::min(s.out_c, c0 + kChunk);
  band(c, n, oy0, oy1, c0, c1);
}

}  // namespace resnext
