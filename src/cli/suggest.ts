/** "did you mean ...?" for a mistyped command or option: the closest known word within 2 edits. */

/**
 * Edits between two strings: insertions, deletions, substitutions and swaps of two neighbours
 * (Damerau-Levenshtein, optimal string alignment), so 'stauts' is 1 from 'status'.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

export const MAX_SUGGESTION_DISTANCE = 2;

/** The candidate closest to `typed` within MAX_SUGGESTION_DISTANCE edits (the first listed on a tie), or undefined. */
export function closest(typed: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = MAX_SUGGESTION_DISTANCE + 1;
  for (const c of candidates) {
    if (c === typed) continue;
    const d = editDistance(typed, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
