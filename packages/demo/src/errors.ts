/** Errors as the page shows them. */

/** A form that cannot be turned into load options (e.g. ResNeXt-50 with a malformed URL). */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

function plainText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value; // cyclic objects, BigInts
  }
}

/**
 * One line per error in the chain: the class name (the worker sends its errors back as their own
 * classes: DownloadError, BackendUnavailableError, ImageDecodeError, …) and the message, then each
 * `cause`, since the root problem is often only there.
 */
export function describeError(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 4; depth++) {
    if (current instanceof Error) {
      lines.push(`${depth === 0 ? '' : 'caused by '}${current.name}: ${current.message}`);
      current = current.cause;
    } else {
      // Something thrown that is not an Error (a string, a plain object): show its content.
      const text = typeof current === 'string' ? current : plainText(current);
      lines.push(`${depth === 0 ? '' : 'caused by '}${text}`);
      current = undefined;
    }
  }
  return lines.join('\n');
}
