import { IMAGE_LIMITS } from '@resnext/pretrained';

/**
 * What makes a `width × height` image too large to decode for training, or undefined: the limits
 * of `@resnext/pretrained`'s preprocessing (`IMAGE_LIMITS`: sides, pixel count, aspect ratio), so
 * an image folder accepts what inference accepts. Checked on the file's header, before decoding:
 * decoding takes memory in proportion to the pixels, for every read of every epoch.
 */
export function imageSizeProblem(width: number, height: number): string | undefined {
  const { maxSide, maxPixels, maxAspectRatio } = IMAGE_LIMITS;
  if (!(width >= 1 && height >= 1)) return `its header gives no size (${width}x${height})`;
  const ratio = Math.max(width, height) / Math.min(width, height);
  if (width > maxSide || height > maxSide || width * height > maxPixels || ratio > maxAspectRatio) {
    return `a ${width}x${height} image is beyond the limits (IMAGE_LIMITS of @resnext/pretrained: ${maxSide} pixels a side, ${maxPixels} pixels, aspect ratio ${maxAspectRatio}:1)`;
  }
  return undefined;
}
