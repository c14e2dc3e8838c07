/** File types the decoders accept: what torchvision users feed PIL in practice. */
export type ImageFormat = 'jpeg' | 'png' | 'webp';

const ascii = (bytes: Uint8Array, at: number, text: string) =>
  text.split('').every((ch, i) => bytes[at + i] === ch.charCodeAt(0));

/**
 * The format named by a file's magic bytes, or `undefined` for anything else. Deciding by content,
 * not by file name, keeps a mislabelled file from reaching a decoder for another format.
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes[0] === 0x89 && ascii(bytes, 1, 'PNG\r\n\x1a\n')) return 'png';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return 'webp';
  return undefined;
}

/** How error messages spell each format. */
export const FORMAT_NAMES: Record<ImageFormat, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP' };

/** A short description of unrecognized content for error messages: its first bytes in hex. */
export function describeMagic(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'the file is empty';
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `not a JPEG, PNG or WebP file (starts with ${head})`;
}
