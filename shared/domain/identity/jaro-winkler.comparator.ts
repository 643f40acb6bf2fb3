/*
 * Jaro and Jaro-Winkler similarity (Winkler 1990). Runs in O(|a|·window) on char codes with two reused flag
 * buffers, so comparing millions of pairs allocates nothing per call.
 */

let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

const ensureFlags = (n: number): void => {
  if (flagsA.length < n) {
    flagsA = new Uint8Array(n * 2);
    flagsB = new Uint8Array(n * 2);
  }
};

/** Jaro similarity in [0, 1]: 1 for equal strings, 0 when nothing matches (or one side is empty). */
export const jaro = (a: string, b: string): number => {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  // Make `a` the shorter so the window and the flag buffers follow the longer string.
  if (la > lb) return jaro(b, a);
  ensureFlags(lb);
  const fa = flagsA;
  const fb = flagsB;
  fa.fill(0, 0, la);
  fb.fill(0, 0, lb);
  const window = Math.max(0, (lb >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const from = i > window ? i - window : 0;
    const to = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = from; j <= to; j++) {
      if (fb[j] === 0 && b.charCodeAt(j) === c) {
        fa[i] = 1;
        fb[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let halfTranspositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (fa[i] === 0) continue;
    while (fb[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) halfTranspositions++;
    k++;
  }
  const m = matches;
  return (m / la + m / lb + (m - (halfTranspositions >> 1)) / m) / 3;
};

/**
 * Jaro-Winkler similarity in [0, 1]: Jaro boosted by the common prefix (at most 4 characters, scale 0.1)
 * when the Jaro similarity exceeds 0.7, as Winkler defined it. Case-sensitive: normalise first.
 *
 * @example jaroWinkler('MARTHA', 'MARHTA') // 0.961
 */
export const jaroWinkler = (a: string, b: string): number => {
  const j = jaro(a, b);
  if (j <= 0.7) return j;
  const max = Math.min(4, a.length, b.length);
  let prefix = 0;
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
};
