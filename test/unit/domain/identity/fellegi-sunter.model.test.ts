import { describe, expect, it } from 'vitest';
import {
  estimateU,
  expectationMaximisation,
  fellegiSunterModel,
  matchProbability,
  matchWeight,
  tabulatePatterns,
} from '../../../../shared/domain/identity/fellegi-sunter.model.ts';
import { type RandomSource, seededRandom } from '../../../../shared/domain/identity/seeded-random.ts';

// Three fields with levels null / exact / fuzzy / else; index 0 (null) is never drawn here.
const TRUE_M = [
  [0, 0.85, 0.1, 0.05],
  [0, 0.7, 0.2, 0.1],
  [0, 0.9, 0.05, 0.05],
];
const TRUE_U = [
  [0, 0.02, 0.08, 0.9],
  [0, 0.05, 0.15, 0.8],
  [0, 0.01, 0.04, 0.95],
];
const LEVEL_COUNTS = [4, 4, 4];

const draw = (random: RandomSource, probabilities: readonly number[]): number => {
  let x = random();
  for (let l = 1; l < probabilities.length; l++) {
    x -= probabilities[l] ?? 0;
    if (x < 0) return l;
  }
  return probabilities.length - 1;
};

/** Comparison vectors of `n` pairs, a share `lambda` of them matches, drawn from the true m / u. */
const synthetic = (n: number, lambda: number, seed: number) => {
  const random = seededRandom(seed);
  const levels = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    const match = random() < lambda;
    for (let f = 0; f < 3; f++) levels[p * 3 + f] = draw(random, (match ? TRUE_M : TRUE_U)[f] ?? []);
  }
  return tabulatePatterns(levels, n, 3);
};

describe('Domain: Fellegi-Sunter model', () => {
  describe('tabulatePatterns', () => {
    it('counts each distinct comparison vector once and remembers each pair’s pattern', () => {
      // Prepare
      const levels = Uint8Array.from([1, 2, 1, 2, 3, 3]);
      // Act
      const patterns = tabulatePatterns(levels, 3, 2);
      // Assess
      expect([...patterns.counts]).toEqual([2, 1]);
      expect([...patterns.patternOf]).toEqual([0, 0, 1]);
      expect([...patterns.levels]).toEqual([1, 2, 3, 3]);
    });
  });

  describe('expectationMaximisation', () => {
    it('recovers known m, u and λ from seeded synthetic pairs', () => {
      // Prepare
      const patterns = synthetic(50_000, 0.2, 7);
      const flatU = LEVEL_COUNTS.map((L) => [1, ...Array.from({ length: L - 1 }, () => 1 / (L - 1))]);
      // Act
      const em = expectationMaximisation({ patterns, levelCounts: LEVEL_COUNTS, u: flatU });
      // Assess
      expect(em.converged).toBe(true);
      expect(em.lambda).toBeCloseTo(0.2, 1);
      for (let f = 0; f < 3; f++)
        for (let l = 1; l < 4; l++) {
          expect(Math.abs((em.m[f]?.[l] ?? 0) - (TRUE_M[f]?.[l] ?? 0))).toBeLessThan(0.03);
          expect(Math.abs((em.u[f]?.[l] ?? 0) - (TRUE_U[f]?.[l] ?? 0))).toBeLessThan(0.03);
        }
    });

    it('keeps u fixed when asked and still recovers m and λ', () => {
      const patterns = synthetic(50_000, 0.1, 11);
      const em = expectationMaximisation({ patterns, levelCounts: LEVEL_COUNTS, u: TRUE_U, fixU: true });
      expect(em.u).toEqual(TRUE_U);
      expect(em.lambda).toBeCloseTo(0.1, 1);
      for (let f = 0; f < 3; f++)
        for (let l = 1; l < 4; l++)
          expect(Math.abs((em.m[f]?.[l] ?? 0) - (TRUE_M[f]?.[l] ?? 0))).toBeLessThan(0.03);
    });

    it('is deterministic for the same seed', () => {
      const run = () =>
        expectationMaximisation({
          patterns: synthetic(5000, 0.3, 3),
          levelCounts: LEVEL_COUNTS,
          u: TRUE_U,
        });
      expect(run()).toEqual(run());
    });
  });

  describe('estimateU', () => {
    it('is the level frequency among random pairs, ignoring nulls', () => {
      const patterns = tabulatePatterns(Uint8Array.from([0, 1, 2, 2, 2]), 5, 1);
      const [u] = estimateU(patterns, [3], 0);
      expect(u).toEqual([1, 0.25, 0.75]);
    });
  });

  describe('match weight and probability', () => {
    it('adds log2(m/u) per field to the prior log-odds; null levels add nothing', () => {
      // Prepare: one field with m/u = 0.9/0.01 at "exact" and 0.1/0.99 at "else"; λ = 0.5.
      const model = fellegiSunterModel(
        [{ field: 'x', labels: ['null', 'exact', 'else'], m: [1, 0.9, 0.1], u: [1, 0.01, 0.99] }],
        0.5,
      );
      // Act / Assess
      expect(matchWeight(model, [1])).toBeCloseTo(Math.log2(90), 10);
      expect(matchProbability(model, [1])).toBeCloseTo(90 / 91, 10);
      expect(matchProbability(model, [0])).toBeCloseTo(0.5, 10);
      expect(matchProbability(model, [2])).toBeLessThan(0.5);
    });
  });
});
