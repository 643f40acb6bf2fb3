import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildInteractionMatrix,
  buildItemSimilarityRecommender,
  customerItems,
  neighbourTable,
  type PurchaseLine,
  popularityRecommender,
  RecommenderInputError,
  recommenderFromNeighbourTable,
} from '../../../../shared/domain/scoring/item-similarity.recommender.ts';

const line = (
  customerId: string,
  itemId: string,
  basketId = `${customerId}-1`,
  quantity = 1,
): PurchaseLine => ({
  customerId,
  itemId,
  basketId,
  quantity,
});
const baskets = (spec: Record<string, readonly string[]>): PurchaseLine[] =>
  Object.entries(spec).flatMap(([customer, items]) => items.map((item) => line(customer, item)));

// Tea goes with the teapot; the mug goes with the plate; one customer (c) bridges tea and mug.
const TEA_SHOP = baskets({
  a: ['tea', 'teapot'],
  b: ['tea', 'teapot'],
  c: ['tea', 'teapot', 'mug'],
  d: ['mug', 'plate'],
  e: ['mug', 'plate'],
});

describe('Domain: interaction matrix', () => {
  it('merges lines of one item on one basket and weighs cells as asked', () => {
    // Arrange: 'x' twice on invoice 1 (3 + 2 units), once on invoice 2 (5 units).
    const lines = [
      line('u', 'x', '1', 3),
      line('u', 'x', '1', 2),
      line('u', 'x', '2', 5),
      line('u', 'y', '2', 1),
    ];
    // Act
    const binary = buildInteractionMatrix(lines);
    const byBaskets = buildInteractionMatrix(lines, { weighting: 'log-baskets' });
    const byQuantity = buildInteractionMatrix(lines, { weighting: 'log-quantity' });
    // Assess
    expect(binary.items).toEqual(['x', 'y']);
    expect([...binary.baskets]).toEqual([2, 1]);
    expect([...binary.quantities]).toEqual([10, 1]);
    expect([...binary.weights]).toEqual([1, 1]);
    expect(byBaskets.weights[0]).toBeCloseTo(Math.log(3), 12);
    expect(byQuantity.weights[0]).toBeCloseTo(Math.log(11), 12);
    expect(customerItems(byQuantity, 'u')).toEqual(
      new Map([
        ['x', Math.log(11)],
        ['y', Math.log(2)],
      ]),
    );
    expect(customerItems(byQuantity, 'nobody').size).toBe(0);
  });

  it('refuses non-positive quantities', () => {
    expect(() => buildInteractionMatrix([line('u', 'x', '1', 0)])).toThrow(RecommenderInputError);
    expect(() => buildInteractionMatrix([line('u', 'x', '1', -2)])).toThrow(RecommenderInputError);
  });
});

describe('Domain: item-similarity recommender', () => {
  it('finds the obvious neighbour with the cosine computed by hand', () => {
    // Act
    const plain = buildItemSimilarityRecommender(buildInteractionMatrix(TEA_SHOP), { shrinkage: 0 });
    const shrunk = buildItemSimilarityRecommender(buildInteractionMatrix(TEA_SHOP), { shrinkage: 10 });
    // Assess: tea and teapot share all 3 buyers (cos 1); tea and mug share 1 of 3 each (cos 1/3).
    expect(plain.neighbours('tea')).toEqual([
      { itemId: 'teapot', similarity: 1, coBuyers: 3 },
      { itemId: 'mug', similarity: expect.closeTo(1 / 3, 12), coBuyers: 1 },
    ]);
    expect(plain.neighbours('plate').map((n) => n.itemId)).toEqual(['mug']);
    expect(plain.neighbours('plate')[0]?.similarity).toBeCloseTo(2 / Math.sqrt(2 * 3), 12);
    // Shrinkage multiplies by n / (n + 10).
    expect(shrunk.neighbours('tea')[0]?.similarity).toBeCloseTo(3 / 13, 12);
    expect(shrunk.neighbours('tea')[1]?.similarity).toBeCloseTo((1 / 3) * (1 / 11), 12);
    expect(plain.neighbours('unknown')).toEqual([]);
  });

  it('recommends the neighbour with its evidence and leaves out owned items', () => {
    const recommender = buildItemSimilarityRecommender(buildInteractionMatrix(TEA_SHOP), { shrinkage: 0 });
    // Act
    const forTeaBuyer = recommender.recommend(['tea'], 10);
    const forPlateBuyer = recommender.recommend(new Map([['plate', 1]]), 1);
    const owned = recommender.recommend(['tea', 'teapot'], 10);
    const withOwned = recommender.recommend(['tea', 'teapot'], 10, { excludeOwned: false });
    // Assess
    expect(forTeaBuyer.map((r) => [r.itemId, r.because?.itemId])).toEqual([
      ['teapot', 'tea'],
      ['mug', 'tea'],
    ]);
    expect(forTeaBuyer[0]?.score).toBe(1);
    expect(forPlateBuyer.map((r) => r.itemId)).toEqual(['mug']);
    expect(owned.map((r) => r.itemId)).toEqual(['mug']);
    // mug: 1/3 from tea + 1/3 from teapot; the evidence is the larger term, tied → smallest id ('tea').
    expect(owned[0]?.score).toBeCloseTo(2 / 3, 12);
    expect(owned[0]?.because).toEqual({ itemId: 'tea', contribution: expect.closeTo(1 / 3, 12) });
    expect(withOwned.map((r) => r.itemId)).toEqual(['tea', 'teapot', 'mug']);
    expect(recommender.recommend(['unknown'], 5)).toEqual([]);
    expect(recommender.recommend(['tea'], 0)).toEqual([]);
  });

  it('scales scores by the owned items’ weights', () => {
    const recommender = buildItemSimilarityRecommender(buildInteractionMatrix(TEA_SHOP), { shrinkage: 0 });
    // Act: mostly a mug buyer, a little tea.
    const ranked = recommender.recommend(
      new Map([
        ['tea', 0.1],
        ['mug', 2],
      ]),
      10,
    );
    // Assess: plate 2·cos(mug, plate) = 2·2/√6 ≈ 1.63; teapot 0.1·1 (tea) + 2·1/3 (mug) ≈ 0.77.
    expect(ranked.map((r) => r.itemId)).toEqual(['plate', 'teapot']);
    expect(ranked[0]?.score).toBeCloseTo(4 / Math.sqrt(6), 12);
    expect(ranked[1]?.score).toBeCloseTo(0.1 + 2 / 3, 12);
    expect(ranked[0]?.because?.itemId).toBe('mug');
    expect(ranked[1]?.because?.itemId).toBe('mug');
  });

  it('orders ties by item id whatever the input order', () => {
    // Arrange: 'x' is bought with 'z' and with 'y' equally often; popularity ties too.
    const forward = baskets({ p: ['x', 'y'], q: ['x', 'z'] });
    const backward = baskets({ q: ['z', 'x'], p: ['y', 'x'] });
    // Act
    const ranks = [forward, backward].map((lines) => {
      const matrix = buildInteractionMatrix(lines);
      return {
        neighbours: buildItemSimilarityRecommender(matrix)
          .neighbours('x')
          .map((n) => n.itemId),
        recommended: buildItemSimilarityRecommender(matrix)
          .recommend(['x'], 5)
          .map((r) => r.itemId),
        popular: popularityRecommender(matrix)
          .recommend([], 5)
          .map((r) => r.itemId),
      };
    });
    // Assess
    expect(ranks[0]).toEqual({ neighbours: ['y', 'z'], recommended: ['y', 'z'], popular: ['x', 'y', 'z'] });
    expect(ranks[1]).toEqual(ranks[0]);
  });

  it('keeps only the top neighbours and caps long histories by weight', () => {
    // Arrange: w bought 4 items; by quantity its heaviest two are 'a' and 'b'.
    const lines = [
      line('w', 'a', '1', 9),
      line('w', 'b', '1', 8),
      line('w', 'c', '1', 1),
      line('w', 'd', '1', 1),
    ];
    const matrix = buildInteractionMatrix(lines, { weighting: 'log-quantity' });
    // Act
    const capped = buildItemSimilarityRecommender(matrix, { maxItemsPerCustomer: 2 });
    const one = buildItemSimilarityRecommender(buildInteractionMatrix(lines), {
      neighbours: 1,
      shrinkage: 0,
    });
    // Assess
    expect(capped.neighbours('a').map((n) => n.itemId)).toEqual(['b']);
    expect(capped.neighbours('c')).toEqual([]);
    expect(one.neighbours('c').map((n) => n.itemId)).toEqual(['a']); // binary: cos 1 with every item; 'a' wins the tie
  });

  it('drops pairs shared by too few customers and refuses bad options', () => {
    const matrix = buildInteractionMatrix(TEA_SHOP);
    expect(
      buildItemSimilarityRecommender(matrix, { minCoBuyers: 2 })
        .neighbours('tea')
        .map((n) => n.itemId),
    ).toEqual(['teapot']);
    expect(() => buildItemSimilarityRecommender(matrix, { neighbours: 0 })).toThrow(RecommenderInputError);
    expect(() => buildItemSimilarityRecommender(matrix, { shrinkage: -1 })).toThrow(RecommenderInputError);
    expect(() => buildItemSimilarityRecommender(matrix, { maxItemsPerCustomer: 1.5 })).toThrow(
      RecommenderInputError,
    );
    expect(() => buildItemSimilarityRecommender(matrix).recommend(['tea'], -1)).toThrow(
      RecommenderInputError,
    );
  });
});

describe('Domain: a stored neighbour table', () => {
  it('recommends exactly what the trained recommender does, after a JSON round trip', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.constantFrom(...items)), {
          minLength: 4,
          maxLength: 60,
        }),
        fc.subarray(items),
        (pairs, owned) => {
          const matrix = buildInteractionMatrix(pairs.map(([c, i]) => line(`c${c}`, i)));
          const trained = buildItemSimilarityRecommender(matrix, { neighbours: 5 });
          const stored = recommenderFromNeighbourTable(JSON.parse(JSON.stringify(neighbourTable(trained))));
          expect(stored.recommend(owned, 4)).toEqual(trained.recommend(owned, 4));
          for (const id of items) expect(stored.neighbours(id)).toEqual(trained.neighbours(id));
        },
      ),
    );
  });

  it('keeps at most `perItem` neighbours of each item', () => {
    const trained = buildItemSimilarityRecommender(buildInteractionMatrix(TEA_SHOP));
    const table = neighbourTable(trained, 1);
    expect(Object.values(table).every((list) => list.length === 1)).toBe(true);
    expect(() => neighbourTable(trained, 0)).toThrow(RecommenderInputError);
  });
});

describe('Domain: popularity baseline', () => {
  it('ranks the training period’s most purchased items and leaves out owned ones', () => {
    // Arrange: tea, teapot and mug have 3 customers each, plate 2; by units the plate wins (1 + 1 + 50).
    const lines = [...TEA_SHOP, line('d', 'plate', 'd-2', 50)];
    const matrix = buildInteractionMatrix(lines);
    // Act
    const byCustomers = popularityRecommender(matrix);
    const byBaskets = popularityRecommender(matrix, { by: 'baskets' });
    const byQuantity = popularityRecommender(matrix, { by: 'quantity' });
    // Assess
    expect(byCustomers.ranking.map((r) => [r.itemId, r.score])).toEqual([
      ['mug', 3],
      ['tea', 3],
      ['teapot', 3],
      ['plate', 2],
    ]);
    // plate is on 3 baskets (d-1, d-2, e-1), as are mug, tea and teapot: ties by id.
    expect(byBaskets.ranking.map((r) => [r.itemId, r.score])).toEqual([
      ['mug', 3],
      ['plate', 3],
      ['tea', 3],
      ['teapot', 3],
    ]);
    expect(byQuantity.ranking[0]).toEqual({ itemId: 'plate', score: 52 });
    expect(byCustomers.recommend(['mug', 'tea'], 2).map((r) => r.itemId)).toEqual(['teapot', 'plate']);
    expect(byCustomers.recommend(['mug'], 2, { excludeOwned: false }).map((r) => r.itemId)).toEqual([
      'mug',
      'tea',
    ]);
    expect(byCustomers.recommend([], 10)).toHaveLength(4);
  });
});
