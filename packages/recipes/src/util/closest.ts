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
 * The candidate nearest to `word` by {@link editDistance}, or undefined when even the nearest
 * differs in more than a third of its letters (at least 2 edits are always allowed). Ties go to
 * the earlier candidate. A word of three letters or more that begins exactly one candidate
 * (`fashion-mnist` → `fashion-mnist-resnext`) gives that candidate.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const extending = word.length >= 3 ? candidates.filter((c) => c.startsWith(word)) : [];
  if (extending.length === 1) return extending[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const allowed = Math.max(2, Math.floor(Math.max(word.length, best?.length ?? 0) / 3));
  return bestDistance <= allowed ? best : undefined;
}
