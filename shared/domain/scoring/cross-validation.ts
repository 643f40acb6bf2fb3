import type { RandomSource } from '../identity/seeded-random.ts';

/*
 * Stratified k-fold: each class is shuffled on its own (seeded) and dealt round-robin into the folds, so
 * every fold has the overall class balance to within one row and fold sizes differ by at most one.
 */

export class FoldCountError extends Error {
  override readonly name = 'FoldCountError';
}

/** Fisher–Yates shuffle in place with the injected generator. */
export const shuffleInPlace = <T>(items: T[], random: RandomSource): T[] => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
  return items;
};

/**
 * Splits positions 0 … labels.length−1 into `k` folds stratified by label (0/1). Returns each fold's
 * positions, ascending. Every position is in exactly one fold.
 */
export const stratifiedKFold = (labels: ArrayLike<number>, k: number, random: RandomSource): number[][] => {
  if (!Number.isInteger(k) || k < 2) throw new FoldCountError(`folds must be an integer ≥ 2, got ${k}`);
  if (k > labels.length) throw new FoldCountError(`${k} folds for ${labels.length} rows`);
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? positives : negatives).push(i);
  const folds: number[][] = Array.from({ length: k }, () => []);
  // Negatives continue where positives stopped, so the sizes stay balanced.
  [...shuffleInPlace(positives, random), ...shuffleInPlace(negatives, random)].forEach((row, n) => {
    folds[n % k]?.push(row);
  });
  for (const f of folds) f.sort((a, b) => a - b);
  return folds;
};

/** The positions not in `fold`, ascending. */
export const complementOf = (fold: readonly number[], size: number): number[] => {
  const held = new Uint8Array(size);
  for (const i of fold) held[i] = 1;
  const rest: number[] = [];
  for (let i = 0; i < size; i++) if (held[i] === 0) rest.push(i);
  return rest;
};
