/**
 * "Did you mean …?" for unknown keys, parameters and enum values. Typos are usually one or
 * two edits (a swapped pair counts as one: `proecssors`), so the distance is the optimal
 * string alignment variant of Damerau-Levenshtein, compared case-insensitively.
 */

/** Edits (insert, delete, substitute, swap two neighbours) between `a` and `b`. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0
  if (!a.length) return b.length
  if (!b.length) return a.length
  // Three rolling rows are enough for the transposition lookback.
  let prev2: number[] = []
  let prev: number[] = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur: number[] = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1)
      cur.push(d)
    }
    prev2 = prev
    prev = cur
  }
  return prev[b.length]
}

/** How many edits still count as a typo of a word this long: 1 up to 4 letters, then 2, then 3. */
function tolerance(length: number): number {
  if (length <= 4) return 1
  if (length <= 8) return 2
  return 3
}

/**
 * The candidate closest to `word`, or undefined when none is close enough to be a likely
 * typo. Ties go to the earlier candidate, so callers can list the likeliest first.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase()
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const c = candidate.toLowerCase()
    if (c === w && candidate !== word) return candidate // only the case differs
    const d = editDistance(w, c)
    // Never "correct" a word into something entirely different (`cpu` -> `vmq`).
    if (d === 0 || d > tolerance(Math.min(w.length, c.length)) || d >= Math.max(w.length, c.length)) continue
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** ` (did you mean "x"?)`, or '' when there is nothing close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const s = suggest(word, candidates)
  return s === undefined ? '' : ` (did you mean "${s}"?)`
}
