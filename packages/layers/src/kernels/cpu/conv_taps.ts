import type { GroupConvGeometry } from '../../ops/conv_geometry.js';

/**
 * Walks a grouped convolution's loop nest (batch, output pixel, filter tap, group, input channel
 * of the group) in the order the cpu kernels accumulate in, skipping taps that fall in the
 * padding. For each step it calls `visit(xi, yg, wq)`: the flat index of the input value, and the
 * offsets of the group's first output channel in the output and in the filter row of that input
 * channel; the group's `outChannelsPerGroup` outputs and filter values follow contiguously. The
 * forward pass and both gradients share this walk, so each keeps only its innermost loop (and all
 * three sum in this walk's order).
 */
export function forEachTapChannel(geo: GroupConvGeometry, visit: (xi: number, yg: number, wq: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = geo;
  const { groups, inChannelsPerGroup: cg, outChannelsPerGroup: og } = geo;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth } = geo;
  const { top, left } = geo.padInfo;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const yOff = ((b * outHeight + oy) * outWidth + ox) * outChannels;
        for (let i = 0; i < filterHeight; i++) {
          const iy = oy * strideHeight - top + i * dilationHeight;
          if (iy < 0 || iy >= inHeight) continue;
          for (let j = 0; j < filterWidth; j++) {
            const ix = ox * strideWidth - left + j * dilationWidth;
            if (ix < 0 || ix >= inWidth) continue;
            const xOff = ((b * inHeight + iy) * inWidth + ix) * inChannels;
            const wOff = (i * filterWidth + j) * cg * outChannels;
            for (let g = 0; g < groups; g++) {
              for (let q = 0; q < cg; q++) visit(xOff + g * cg + q, yOff + g * og, wOff + q * outChannels + g * og);
            }
          }
        }
      }
    }
  }
}
