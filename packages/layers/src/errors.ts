/**
 * Thrown for an invalid argument to a grouped convolution: the message names the argument,
 * the offending sizes and what was expected.
 */
export class GroupConvError extends Error {
  override name = 'GroupConvError';
}
