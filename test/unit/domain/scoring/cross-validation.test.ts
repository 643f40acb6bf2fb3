import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../shared/domain/identity/seeded-random.ts';
import {
  complementOf,
  FoldCountError,
  stratifiedKFold,
} from '../../../../shared/domain/scoring/cross-validation.ts';

describe('stratifiedKFold', () => {
  it('puts every row in exactly one fold, balanced by class and size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 1), { minLength: 10, maxLength: 300 }),
        fc.integer({ min: 2, max: 10 }),
        fc.integer(),
        (labels, k, seed) => {
          const folds = stratifiedKFold(labels, k, seededRandom(seed));
          expect(folds).toHaveLength(k);
          const seen = folds.flat().sort((a, b) => a - b);
          expect(seen).toEqual(labels.map((_, i) => i));
          const sizes = folds.map((f) => f.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          const positives = folds.map((f) => f.filter((i) => labels[i] === 1).length);
          expect(Math.max(...positives) - Math.min(...positives)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const labels = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    expect(stratifiedKFold(labels, 5, seededRandom(7))).toEqual(stratifiedKFold(labels, 5, seededRandom(7)));
    expect(stratifiedKFold(labels, 5, seededRandom(7))).not.toEqual(
      stratifiedKFold(labels, 5, seededRandom(8)),
    );
  });

  it('rejects fewer than 2 folds or more folds than rows', () => {
    expect(() => stratifiedKFold([0, 1, 0], 1, seededRandom(1))).toThrow(FoldCountError);
    expect(() => stratifiedKFold([0, 1, 0], 4, seededRandom(1))).toThrow(FoldCountError);
  });

  it('complementOf gives the training positions', () => {
    expect(complementOf([1, 3], 5)).toEqual([0, 2, 4]);
  });
});
