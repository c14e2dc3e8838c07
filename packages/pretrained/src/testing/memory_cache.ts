// An in-memory stand-in for the browser's Cache API, for download tests in Node.
import type { WeightsCache } from '../download/options.js';

/** An in-memory cache with the Cache API's semantics: `match` gives a fresh response each time. */
export class MemoryCache implements WeightsCache {
  readonly entries = new Map<string, Response>();
  match(url: string): Promise<Response | undefined> {
    return Promise.resolve(this.entries.get(url)?.clone());
  }
  put(url: string, response: Response): Promise<void> {
    this.entries.set(url, response);
    return Promise.resolve();
  }
  delete(url: string): Promise<boolean> {
    return Promise.resolve(this.entries.delete(url));
  }
}
