/** Thrown when a dataset is missing or malformed; the message says where it was expected and how to get it. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}
