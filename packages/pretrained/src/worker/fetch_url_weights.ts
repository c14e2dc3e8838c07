import { DownloadError } from '../download/errors.js';

/**
 * The bytes at a `blob:`, `data:` or other non-http URL, fetched as is: such URLs name bytes the
 * page already holds, so there is nothing to cache or resume. Failures are `DownloadError`s, as
 * for any other weights URL.
 */
export async function fetchUrlWeights(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new DownloadError({ url, reason: 'network', problem: `could not be fetched (${String(cause)})`, cause });
  }
  if (!response.ok) throw new DownloadError({ url, reason: 'http', status: response.status, problem: `HTTP ${response.status}` });
  return new Uint8Array(await response.arrayBuffer());
}
