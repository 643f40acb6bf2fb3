/*
 * Offline top-K metrics for recommendations on a time split. A customer is evaluated when they bought at
 * least one item in the training period (something to recommend from) and at least one in the test period
 * (something to hit). Per customer, with R = relevant test items and L = the first K recommendations:
 *   hit@K       = 1 if L ∩ R ≠ ∅ else 0
 *   precision@K = |L ∩ R| / K   (K, not |L|: a short list is not rewarded for being short)
 *   recall@K    = |L ∩ R| / |R|
 * and each is averaged over the evaluated customers (each customer weighs the same).
 */

export class RecommendationMetricError extends Error {
  override readonly name = 'RecommendationMetricError';
}

export type EvaluationCase = {
  readonly customerId: string;
  /** Items bought in the training period: the recommender's input. */
  readonly owned: readonly string[];
  /** Items bought in the test period that count as hits. */
  readonly relevant: ReadonlySet<string>;
};

export type EvaluationCaseOptions = {
  /**
   * Count only test items the customer did not buy in training (a recommender that leaves out owned items
   * can never hit a repurchase); customers left with none are not evaluated. @default false
   */
  readonly newItemsOnly?: boolean | undefined;
};

/**
 * Customers with ≥ 1 training and ≥ 1 (relevant) test item, sorted by id, with their owned items (sorted)
 * and relevant test items.
 */
export const evaluationCases = (
  training: ReadonlyMap<string, Iterable<string>>,
  test: ReadonlyMap<string, Iterable<string>>,
  options: EvaluationCaseOptions = {},
): EvaluationCase[] => {
  const cases: EvaluationCase[] = [];
  for (const customerId of [...training.keys()].sort()) {
    const owned = [...new Set(training.get(customerId) ?? [])].sort();
    const bought = test.get(customerId);
    if (owned.length === 0 || !bought) continue;
    const ownedSet = new Set(owned);
    const relevant = new Set([...bought].filter((item) => !(options.newItemsOnly && ownedSet.has(item))));
    if (relevant.size > 0) cases.push({ customerId, owned, relevant });
  }
  return cases;
};

export type TopKScores = { readonly hit: number; readonly precision: number; readonly recall: number };

/** hit / precision / recall at K for one customer's ranked list. */
export const topKScores = (
  recommended: readonly string[],
  relevant: ReadonlySet<string>,
  k: number,
): TopKScores => {
  if (!(Number.isInteger(k) && k >= 1)) throw new RecommendationMetricError(`K must be an integer ≥ 1: ${k}`);
  if (relevant.size === 0)
    throw new RecommendationMetricError('no relevant items: the customer is not evaluable');
  const seen = new Set<string>();
  let hits = 0;
  for (const item of recommended.slice(0, k)) {
    if (seen.has(item)) continue; // a duplicate in the list is not a second hit
    seen.add(item);
    if (relevant.has(item)) hits++;
  }
  return { hit: hits > 0 ? 1 : 0, precision: hits / k, recall: hits / relevant.size };
};

export type TopKEvaluation = {
  readonly k: number;
  readonly customers: number;
  readonly hitRate: number;
  readonly precision: number;
  readonly recall: number;
  /** Customers with at least one hit. */
  readonly hits: number;
};

/** Averages the per-customer scores of `recommend(case)` (its first K items) over `cases`. */
export const evaluateTopK = (
  cases: readonly EvaluationCase[],
  recommend: (evaluationCase: EvaluationCase) => readonly string[],
  k: number,
): TopKEvaluation => {
  if (cases.length === 0) throw new RecommendationMetricError('no customers to evaluate');
  let hits = 0;
  let precision = 0;
  let recall = 0;
  for (const c of cases) {
    const s = topKScores(recommend(c), c.relevant, k);
    hits += s.hit;
    precision += s.precision;
    recall += s.recall;
  }
  const n = cases.length;
  return { k, customers: n, hitRate: hits / n, precision: precision / n, recall: recall / n, hits };
};
