/**
 * Bytes ready to be transferred to the worker without taking more from the caller than they gave:
 * a `Uint8Array` that views all of its `ArrayBuffer` is transferred as is (zero-copy); one that
 * views part of a buffer, or a shared buffer, is copied first, since transferring detaches the
 * whole buffer.
 */
export function transferableBytes(bytes: Uint8Array): { bytes: Uint8Array<ArrayBuffer>; transfer: ArrayBuffer[] } {
  const whole = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const own = whole ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
  return { bytes: own, transfer: [own.buffer] };
}
