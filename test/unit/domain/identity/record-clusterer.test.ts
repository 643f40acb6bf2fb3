import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  connectedComponents,
  oneToOne,
  type ScoredPairs,
} from '../../../../shared/domain/identity/record-clusterer.ts';

const scored = (pairs: readonly (readonly [number, number, number])[]): ScoredPairs => ({
  a: Int32Array.from(pairs.map(([a]) => a)),
  b: Int32Array.from(pairs.map(([, b]) => b)),
  probability: Float64Array.from(pairs.map(([, , p]) => p)),
  count: pairs.length,
});

describe('Domain: record clustering', () => {
  describe('connectedComponents', () => {
    it('is transitive: a–b and b–c put a, b and c together, named after the smallest id', () => {
      // Prepare
      const ids = ['r3', 'r1', 'r2', 'r9'];
      // Act
      const clusters = connectedComponents(
        ids,
        scored([
          [0, 2, 0.9],
          [2, 1, 0.8],
        ]),
        0.5,
      );
      // Assess
      expect(clusters).toEqual(['r1', 'r1', 'r1', 'r9']);
    });

    it('ignores pairs under the threshold', () => {
      const clusters = connectedComponents(['a', 'b'], scored([[0, 1, 0.4]]), 0.5);
      expect(clusters).toEqual(['a', 'b']);
    });

    it('gives the same cluster ids whatever the order of records and pairs', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 12 }),
          fc.array(fc.tuple(fc.nat(), fc.nat(), fc.double({ min: 0, max: 1, noNaN: true })), {
            maxLength: 20,
          }),
          fc.integer(),
          (ids, rawPairs, seed) => {
            const n = ids.length;
            const pairs = rawPairs.map(([a, b, p]) => [a % n, b % n, p] as const);
            const byId = (clusters: readonly string[], order: readonly string[]) =>
              new Map(order.map((id, i) => [id, clusters[i]]));
            const before = byId(connectedComponents(ids, scored(pairs), 0.5), ids);
            // A permutation of the records (and of the pairs) derived from the seed.
            const perm = ids
              .map((_, i) => i)
              .sort((x, y) => ((x * 7919 + seed) % 31) - ((y * 7919 + seed) % 31));
            const where = new Map(perm.map((old, i) => [old, i]));
            const shuffledIds = perm.map((i) => ids[i] ?? '');
            const shuffledPairs = [...pairs]
              .reverse()
              .map(([a, b, p]) => [where.get(b) ?? 0, where.get(a) ?? 0, p] as const);
            const after = byId(connectedComponents(shuffledIds, scored(shuffledPairs), 0.5), shuffledIds);
            expect(after).toEqual(before);
          },
        ),
      );
    });
  });

  describe('oneToOne', () => {
    it('links each record at most once, best pairs first', () => {
      // Prepare: A0 matches B2 (0.9) better than B3 (0.8); A1 can only take B3.
      const ids = ['a0', 'a1', 'b2', 'b3'];
      const pairs = scored([
        [0, 3, 0.8],
        [0, 2, 0.9],
        [1, 3, 0.7],
        [1, 2, 0.6],
      ]);
      // Act
      const accepted = oneToOne(ids, pairs, 0.5);
      // Assess
      expect([...accepted]).toEqual([0, 1, 1, 0]);
    });
  });
});
