import type { RgbImage } from './rgb_image.js';

/** Python's `round`: halves go to the even neighbour (`round(16.5) == 16`), unlike `Math.round`. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Offset of a `crop`-long window in a `size`-long axis, as torchvision's `center_crop` places it:
 * `int(round((size - crop) / 2.0))` when the image is large enough; otherwise the image is padded
 * with zeros, `(crop - size) // 2` before it, and the window starts at that negative offset.
 */
export function centerCropOffset(size: number, crop: number): number {
  return crop > size ? -Math.floor((crop - size) / 2) : roundHalfEven((size - crop) / 2);
}

/**
 * The `size × size` window of `image` whose top-left corner is at (`left`, `top`), which may be
 * negative or reach past the image: what falls outside the image is black (0).
 */
export function cropWindow(image: RgbImage, size: number, left: number, top: number): RgbImage {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`centerCrop: size ${size} is not a positive integer`);
  const out = new Uint8Array(size * size * 3);
  // Columns [x0, x1) of the window fall inside the image; the rest stay 0.
  const x0 = Math.max(0, -left);
  const x1 = Math.min(size, image.width - left);
  for (let y = 0; y < size; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= image.height || x1 <= x0) continue;
    const from = (sy * image.width + left + x0) * 3;
    out.set(image.data.subarray(from, from + (x1 - x0) * 3), (y * size + x0) * 3);
  }
  return { data: out, width: size, height: size };
}

/**
 * torchvision's `transforms.CenterCrop(size)` on a PIL image: a `size × size` window at the
 * centre, its offset rounded half to even; where the image is smaller, the padding is black (0).
 */
export function centerCrop(image: RgbImage, size: number): RgbImage {
  return cropWindow(image, size, centerCropOffset(image.width, size), centerCropOffset(image.height, size));
}
