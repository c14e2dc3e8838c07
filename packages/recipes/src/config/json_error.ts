/** Where `text` stops being valid JSON: the offset in V8's message, or found by bisection. */
export function jsonErrorOffset(text: string, message: string): number {
  const at = /at position (\d+)/.exec(message);
  if (at !== null) return Number(at[1]);
  if (/end of JSON input/i.test(message)) return text.length;
  // Some V8 messages ("Unexpected token '}', ... is not valid JSON") carry no position. A
  // prefix that is fine so far fails only at its end; the first prefix failing earlier ends
  // just past the offending character.
  const fineSoFar = (prefix: string) => {
    try {
      JSON.parse(prefix);
      return true;
    } catch (e) {
      const m = /at position (\d+)/.exec((e as Error).message);
      return m === null ? /end of JSON input/i.test((e as Error).message) : Number(m[1]) >= prefix.length;
    }
  };
  let [lo, hi] = [0, text.length];
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fineSoFar(text.slice(0, mid))) lo = mid;
    else hi = mid;
  }
  return hi - 1;
}

/** 1-based line and column of character `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const lines = text.slice(0, Math.max(0, Math.min(offset, text.length))).split('\n');
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

/** V8's JSON message without the position and the echo of the input. */
export function jsonErrorReason(message: string): string {
  return message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'unexpected end of the file');
}
