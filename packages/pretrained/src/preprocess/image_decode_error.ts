/**
 * Thrown when an image cannot be turned into pixels: an unsupported file type, corrupt or truncated
 * bytes, or pixels of an unusable shape. The message names the image (`source`: a path, `bytes`,
 * `Tensor3D`, ...) and the problem; `source` is also a field for programs.
 */
export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
  constructor(
    /** The file path or a description of the input the pixels came from. */
    readonly source: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${problem}`, options);
  }
}
