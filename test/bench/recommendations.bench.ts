import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import {
  buildInteractionMatrix,
  buildItemSimilarityRecommender,
  customerItems,
  type InteractionMatrix,
  type InteractionWeighting,
  type ItemSimilarityOptions,
  type PurchaseLine,
  popularityRecommender,
  type Recommender,
} from '../../shared/domain/scoring/item-similarity.recommender.ts';
import {
  type EvaluationCase,
  evaluateTopK,
  evaluationCases,
  type TopKEvaluation,
} from '../../shared/domain/scoring/recommendation-metrics.ts';
import type { Bench } from './run.bench.ts';

/*
 * UCI Online Retail (541,909 lines, 2010-12-01 … 2011-12-09; see ../shared/benchdata/online_retail/README.md,
 * which gives no reference figure and no protocol). Protocol chosen here, fixed before looking at results:
 * - cleaning: drop cancellations (InvoiceNo 'C…'), quantity ≤ 0, unit price ≤ 0, blank CustomerID, and
 *   non-product StockCodes (postage, manual, discount, fees, gift vouchers…: anything that is not 5 digits
 *   plus an optional letter suffix);
 * - time split: train on invoices before 2011-09-01, test on 2011-09-01 … 2011-12-09 (the last ~3 months);
 * - evaluated customers: ≥ 1 training and ≥ 1 test purchase; owned (training) items are never
 *   recommended; a customer is a hit when any test-period item is in the top 10.
 * Item-CF uses the module defaults (binary weights, 50 neighbours, shrinkage 10, 300 items per customer).
 */

const FILE = fileURLToPath(
  new URL('../../../shared/benchdata/online_retail/online_retail_2010-12_2011-12.csv.gz', import.meta.url),
);
const SPLIT = '2011-09-01';
const K = 10;
const PRODUCT_CODE = /^\d{5}[A-Za-z]{0,2}$/;

type Line = PurchaseLine & { readonly at: string };

type Cleaning = {
  rows: number;
  cancelled: number;
  nonPositive: number;
  noCustomer: number;
  nonProduct: number;
  kept: number;
};

const readLines = async (): Promise<{ lines: Line[]; cleaning: Cleaning; names: Map<string, string> }> => {
  const cleaning: Cleaning = { rows: 0, cancelled: 0, nonPositive: 0, noCustomer: 0, nonProduct: 0, kept: 0 };
  const lines: Line[] = [];
  const names = new Map<string, string>();
  const parser = createReadStream(FILE)
    .pipe(createGunzip())
    .pipe(parse({ columns: true }));
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    cleaning.rows++;
    const invoice = record.InvoiceNo ?? '';
    const quantity = Number(record.Quantity);
    const price = Number(record.UnitPrice);
    const customer = (record.CustomerID ?? '').trim();
    const code = (record.StockCode ?? '').trim();
    const at = record.InvoiceDate ?? '';
    if (!/^\d{4}-\d{2}-\d{2} /.test(at)) throw new Error(`unexpected InvoiceDate '${at}'`);
    if (invoice.startsWith('C')) cleaning.cancelled++;
    else if (!(quantity > 0 && price > 0)) cleaning.nonPositive++;
    else if (customer === '') cleaning.noCustomer++;
    else if (!PRODUCT_CODE.test(code)) cleaning.nonProduct++;
    else {
      cleaning.kept++;
      if (!names.has(code.toUpperCase())) names.set(code.toUpperCase(), (record.Description ?? '').trim());
      // '17850.0' → '17850'; codes upper-cased ('85123a' and '85123A' are one product).
      lines.push({
        customerId: String(Number(customer)),
        itemId: code.toUpperCase(),
        basketId: invoice,
        quantity,
        at,
      });
    }
  }
  return { lines, cleaning, names };
};

const itemsByCustomer = (lines: readonly Line[]): Map<string, Set<string>> => {
  const out = new Map<string, Set<string>>();
  for (const l of lines) {
    let items = out.get(l.customerId);
    if (!items) {
      items = new Set();
      out.set(l.customerId, items);
    }
    items.add(l.itemId);
  }
  return out;
};

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const row = (label: string, e: TopKEvaluation): string =>
  `  ${label.padEnd(44)} hit-rate@${e.k} ${pct(e.hitRate).padStart(7)} (${String(e.hits).padStart(4)}/${e.customers})   precision@${e.k} ${pct(e.precision).padStart(6)}   recall@${e.k} ${pct(e.recall).padStart(6)}`;

const evaluate = (
  matrix: InteractionMatrix,
  recommender: Recommender,
  cases: readonly EvaluationCase[],
): TopKEvaluation =>
  evaluateTopK(
    cases,
    (c) => recommender.recommend(customerItems(matrix, c.customerId), K).map((r) => r.itemId),
    K,
  );

const timedBuild = (matrix: InteractionMatrix, options: ItemSimilarityOptions = {}) => {
  const started = performance.now();
  const recommender = buildItemSimilarityRecommender(matrix, options);
  return { recommender, ms: performance.now() - started };
};

/** Online Retail, time split: item-based CF vs the popularity baseline, hit-rate@10. */
export const recommendationsBench: Bench = {
  summary: `recommendations on Online Retail (train < ${SPLIT}, test after): item-CF vs popularity, hit-rate@${K}`,
  run: async () => {
    const readStarted = performance.now();
    const { lines, cleaning, names } = await readLines();
    const readMs = performance.now() - readStarted;
    console.log(
      `\nOnline Retail: ${cleaning.rows.toLocaleString('en')} rows read + cleaned in ${(readMs / 1000).toFixed(1)} s; dropped ${cleaning.cancelled.toLocaleString('en')} cancellation rows, ${cleaning.nonPositive.toLocaleString('en')} with quantity or price ≤ 0, ${cleaning.noCustomer.toLocaleString('en')} without CustomerID, ${cleaning.nonProduct.toLocaleString('en')} non-product codes; ${cleaning.kept.toLocaleString('en')} kept`,
    );
    const train = lines.filter((l) => l.at < SPLIT);
    const test = lines.filter((l) => l.at >= SPLIT);
    const trainItems = itemsByCustomer(train);
    const testItems = itemsByCustomer(test);
    console.log(
      `Time split at ${SPLIT}: train ${train.length.toLocaleString('en')} lines (${train[0]?.at.slice(0, 10)} … ${train.at(-1)?.at.slice(0, 10)}), test ${test.length.toLocaleString('en')} lines (… ${test.at(-1)?.at.slice(0, 10)})`,
    );

    const matrixStarted = performance.now();
    const matrix = buildInteractionMatrix(train);
    const matrixMs = performance.now() - matrixStarted;
    const longest = Math.max(
      ...Array.from(
        { length: matrix.customers.length },
        (_, c) => (matrix.offsets[c + 1] ?? 0) - (matrix.offsets[c] ?? 0),
      ),
    );
    console.log(
      `Training matrix: ${matrix.customers.length.toLocaleString('en')} customers × ${matrix.items.length.toLocaleString('en')} items, ${matrix.itemIndex.length.toLocaleString('en')} non-zero cells (longest history ${longest} items), built in ${matrixMs.toFixed(0)} ms`,
    );

    timedBuild(matrix); // warm-up
    const builds = [timedBuild(matrix), timedBuild(matrix), timedBuild(matrix)];
    const { recommender } = builds[0] ?? timedBuild(matrix);
    const buildMs = Math.min(...builds.map((b) => b.ms));
    console.log(
      `Item-item similarities (cosine, shrinkage 10, top 50 neighbours, ≤ 300 items per customer): ${buildMs.toFixed(0)} ms (best of 3, one core)`,
    );

    const popular = popularityRecommender(matrix);
    const cases = evaluationCases(trainItems, testItems);
    const newCases = evaluationCases(trainItems, testItems, { newItemsOnly: true });
    const recommendStarted = performance.now();
    const cf = evaluate(matrix, recommender, cases);
    const recommendMs = performance.now() - recommendStarted;
    const pop = evaluate(matrix, popular, cases);

    console.log(
      `\nEvaluated: ${cases.length.toLocaleString('en')} customers with ≥ 1 training and ≥ 1 test purchase (of ${testItems.size.toLocaleString('en')} test-period customers); owned items excluded from both lists`,
    );
    console.log(row('item-CF (item-item cosine)', cf));
    console.log(row('popularity baseline (most customers, train)', pop));
    console.log(
      `  → item-CF hit-rate@${K} ${pct(cf.hitRate)} vs popularity ${pct(pop.hitRate)}: ${cf.hitRate > pop.hitRate ? `BEATS the baseline by ${((cf.hitRate - pop.hitRate) * 100).toFixed(2)} points (×${(cf.hitRate / pop.hitRate).toFixed(2)})` : 'does NOT beat the baseline'}; ${(recommendMs / cases.length).toFixed(2)} ms per customer to recommend`,
    );

    console.log(
      `\nSame, counting only test items new to the customer (${newCases.length.toLocaleString('en')} customers with one):`,
    );
    console.log(row('item-CF', evaluate(matrix, recommender, newCases)));
    console.log(row('popularity baseline', evaluate(matrix, popular, newCases)));

    console.log('\nSensitivity (for information; the headline above uses the defaults, fixed in advance):');
    console.log(
      row('popularity by baskets', evaluate(matrix, popularityRecommender(matrix, { by: 'baskets' }), cases)),
    );
    const variants: readonly {
      label: string;
      weighting: InteractionWeighting;
      options: ItemSimilarityOptions;
    }[] = [
      { label: 'item-CF, log(1 + baskets) weights', weighting: 'log-baskets', options: {} },
      { label: 'item-CF, log(1 + quantity) weights', weighting: 'log-quantity', options: {} },
      { label: 'item-CF, 20 neighbours', weighting: 'binary', options: { neighbours: 20 } },
      { label: 'item-CF, 200 neighbours', weighting: 'binary', options: { neighbours: 200 } },
      { label: 'item-CF, no shrinkage', weighting: 'binary', options: { shrinkage: 0 } },
    ];
    for (const v of variants) {
      const m = v.weighting === 'binary' ? matrix : buildInteractionMatrix(train, { weighting: v.weighting });
      const { recommender: r, ms } = timedBuild(m, v.options);
      console.log(`${row(v.label, evaluate(m, r, cases))}   build ${ms.toFixed(0)} ms`);
    }

    const example = cases.find((c) => c.owned.length >= 5 && c.owned.length <= 15);
    if (example) {
      console.log(`\nExample: customer ${example.customerId} (${example.owned.length} training items) gets`);
      for (const r of recommender.recommend(customerItems(matrix, example.customerId), 5))
        console.log(
          `  ${r.itemId.padEnd(7)} ${(names.get(r.itemId) ?? '').slice(0, 34).padEnd(34)} score ${r.score.toFixed(3)}  because you bought ${r.because?.itemId ?? '-'} ${(names.get(r.because?.itemId ?? '') ?? '').slice(0, 34)}${example.relevant.has(r.itemId) ? '  ← bought in test' : ''}`,
        );
    }
  },
};
