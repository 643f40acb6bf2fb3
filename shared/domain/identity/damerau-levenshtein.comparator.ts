/*
 * Damerau-Levenshtein distance in its optimal-string-alignment form (insert, delete, substitute, swap two
 * adjacent characters; no substring edited twice), bounded: the work stops once every alignment costs more
 * than `max`. Three reused rows, no allocation per call once they are large enough.
 */

let rowPrev2 = new Int32Array(64);
let rowPrev = new Int32Array(64);
let rowCurr = new Int32Array(64);

const ensureRows = (n: number): void => {
  if (rowCurr.length < n) {
    rowPrev2 = new Int32Array(n * 2);
    rowPrev = new Int32Array(n * 2);
    rowCurr = new Int32Array(n * 2);
  }
};

const bag = new Int32Array(128);

/**
 * Bag distance: the larger of the two multiset differences of the strings' characters. Every edit (a swap
 * included) changes it by at most 1, so it is a lower bound of the edit distance — and costs O(|a| + |b|).
 * Characters beyond ASCII share one slot, which only lowers the bound.
 */
const bagDistance = (a: string, b: string): number => {
  for (let i = 0; i < a.length; i++) {
    const c = Math.min(a.charCodeAt(i), 127);
    bag[c] = (bag[c] ?? 0) + 1;
  }
  let onlyB = 0;
  for (let i = 0; i < b.length; i++) {
    const c = Math.min(b.charCodeAt(i), 127);
    const have = bag[c] ?? 0;
    if (have > 0) bag[c] = have - 1;
    else onlyB++;
  }
  let onlyA = 0;
  for (let i = 0; i < a.length; i++) {
    const c = Math.min(a.charCodeAt(i), 127);
    onlyA += bag[c] ?? 0;
    bag[c] = 0;
  }
  return Math.max(onlyA, onlyB);
};

/**
 * The edit distance between `a` and `b` when it is at most `max`, else `max + 1`.
 *
 * @example damerauLevenshtein('19560409', '19564009', 2) // 1 (one transposition)
 */
export const damerauLevenshtein = (a: string, b: string, max = Number.POSITIVE_INFINITY): number => {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  const over = max + 1;
  if (Math.abs(la - lb) > max) return over;
  if (la === 0) return lb;
  if (lb === 0) return la;
  if (max < la && max < lb && bagDistance(a, b) > max) return over;
  ensureRows(lb + 1);
  let p2 = rowPrev2;
  let p1 = rowPrev;
  let cur = rowCurr;
  for (let j = 0; j <= lb; j++) p1[j] = j;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      const cost = ca === cb ? 0 : 1;
      let d = Math.min((p1[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (p1[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb)
        d = Math.min(d, (p2[j - 2] ?? 0) + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return over;
    const t = p2;
    p2 = p1;
    p1 = cur;
    cur = t;
  }
  const d = p1[lb] ?? over;
  return d > max ? over : d;
};

/** `1 − distance / longer length`, in [0, 1]; 1 for equal strings (two empty strings included). */
export const damerauLevenshteinSimilarity = (a: string, b: string): number => {
  const longer = Math.max(a.length, b.length);
  return longer === 0 ? 1 : 1 - damerauLevenshtein(a, b) / longer;
};
