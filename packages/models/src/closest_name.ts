/**
 * "Did you mean …?" for names typed by people: model names, command-line flags, recipe names.
 * One rule for every package, so the same typo gets the same suggestion everywhere.
 */

/** Levenshtein distance: insertions, deletions and substitutions that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate `word` most likely meant, compared case-insensitively, or undefined when none is
 * close: a word of three letters or more that begins exactly one candidate gives that candidate
 * (`fashion-mnist` → `fashion-mnist-resnext`, `--cache` → `--cache-dir`); otherwise the nearest
 * candidate by {@link editDistance} (ties go to the earlier one), if it differs in at most a third
 * of the letters of the longer of the two (2 edits are always allowed).
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const lower = candidates.map((c) => c.toLowerCase());
  const extending = w.length >= 3 ? candidates.filter((_, i) => lower[i]!.startsWith(w)) : [];
  if (extending.length === 1) return extending[0];
  let best: number | undefined;
  let bestDistance = Infinity;
  lower.forEach((c, i) => {
    const d = editDistance(w, c);
    if (d < bestDistance) [best, bestDistance] = [i, d];
  });
  if (best === undefined) return undefined;
  const allowed = Math.max(2, Math.floor(Math.max(w.length, lower[best]!.length) / 3));
  return bestDistance <= allowed ? candidates[best] : undefined;
}
