import { describe, expect, it } from 'vitest';
import {
  evaluateTopK,
  evaluationCases,
  RecommendationMetricError,
  topKScores,
} from '../../../../shared/domain/scoring/recommendation-metrics.ts';

const TRAINING = new Map<string, string[]>([
  ['ann', ['a', 'b']],
  ['bob', ['c']],
  ['cat', ['a']], // nothing in test
  ['dan', ['d', 'd']],
]);
const TEST = new Map<string, string[]>([
  ['ann', ['x', 'y', 'a']],
  ['bob', ['c']], // only a repurchase
  ['dan', ['z']],
  ['eve', ['x']], // nothing in training
]);

describe('Domain: recommendation metrics', () => {
  it('evaluates customers with training and test purchases, optionally new items only', () => {
    // Act
    const all = evaluationCases(TRAINING, TEST);
    const fresh = evaluationCases(TRAINING, TEST, { newItemsOnly: true });
    // Assess
    expect(all).toEqual([
      { customerId: 'ann', owned: ['a', 'b'], relevant: new Set(['x', 'y', 'a']) },
      { customerId: 'bob', owned: ['c'], relevant: new Set(['c']) },
      { customerId: 'dan', owned: ['d'], relevant: new Set(['z']) },
    ]);
    expect(fresh).toEqual([
      { customerId: 'ann', owned: ['a', 'b'], relevant: new Set(['x', 'y']) },
      { customerId: 'dan', owned: ['d'], relevant: new Set(['z']) },
    ]);
  });

  it('scores one list by hand: hit, precision over K, recall over the relevant items', () => {
    const relevant = new Set(['x', 'y', 'w']);
    // 'x' at rank 1, 'y' at rank 4 (outside K = 3), a duplicate 'x' counts once.
    expect(topKScores(['x', 'q', 'x', 'y'], relevant, 3)).toEqual({
      hit: 1,
      precision: 1 / 3,
      recall: 1 / 3,
    });
    expect(topKScores(['x', 'q', 'x', 'y'], relevant, 4)).toEqual({
      hit: 1,
      precision: 2 / 4,
      recall: 2 / 3,
    });
    expect(topKScores(['q', 'r'], relevant, 10)).toEqual({ hit: 0, precision: 0, recall: 0 });
    expect(topKScores([], relevant, 1)).toEqual({ hit: 0, precision: 0, recall: 0 });
  });

  it('averages over customers', () => {
    const cases = evaluationCases(TRAINING, TEST);
    const lists: Record<string, string[]> = { ann: ['q', 'y'], bob: ['c', 'r'], dan: ['s', 't'] };
    // Act
    const e = evaluateTopK(cases, (c) => lists[c.customerId] ?? [], 2);
    // Assess: ann hit (1 of 3 relevant), bob hit (1 of 1), dan miss.
    expect(e).toEqual({
      k: 2,
      customers: 3,
      hits: 2,
      hitRate: 2 / 3,
      precision: (1 / 2 + 1 / 2 + 0) / 3,
      recall: expect.closeTo((1 / 3 + 1 + 0) / 3, 12),
    });
  });

  it('refuses bad K, empty relevant sets and empty evaluations', () => {
    expect(() => topKScores(['x'], new Set(['x']), 0)).toThrow(RecommendationMetricError);
    expect(() => topKScores(['x'], new Set(['x']), 2.5)).toThrow(RecommendationMetricError);
    expect(() => topKScores(['x'], new Set(), 1)).toThrow(RecommendationMetricError);
    expect(() => evaluateTopK([], () => [], 10)).toThrow(RecommendationMetricError);
  });
});
