/** What a download reports. */
export interface ProgressEvent {
  loaded: number;
  total: number | undefined;
  url: string;
}

const MB = 1024 * 1024;

/**
 * A one-line progress bar for downloads on a terminal (redrawn in place with \r), or plain
 * lines every 10% when the stream is not a TTY (CI logs, pipes).
 */
export function progressBar(stream: { isTTY?: boolean; write(s: string): unknown }): (p: ProgressEvent) => void {
  let lastDecile = -1;
  return ({ loaded, total, url }) => {
    const name = url.slice(url.lastIndexOf('/') + 1);
    const size = total === undefined ? `${(loaded / MB).toFixed(1)} MB` : `${(loaded / MB).toFixed(1)}/${(total / MB).toFixed(1)} MB`;
    const fraction = total ? Math.min(1, loaded / total) : undefined;
    if (stream.isTTY) {
      const width = 30;
      const bar = fraction === undefined ? '' : `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, ' ')}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
      stream.write(`\r${name} ${bar}${size}${fraction === 1 ? '\n' : ''}`);
      return;
    }
    const decile = fraction === undefined ? Math.floor(loaded / (10 * MB)) : Math.floor(fraction * 10);
    if (decile !== lastDecile) {
      lastDecile = decile;
      stream.write(`downloading ${name}: ${size}\n`);
    }
  };
}
