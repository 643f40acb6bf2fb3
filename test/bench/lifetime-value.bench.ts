import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  type BgNbdFit,
  conditionalExpectedPurchases,
  expectedPurchases,
  fitBgNbd,
  nextPurchaseWindow,
  type PurchaseHistory,
  probabilityAlive,
} from '../../shared/domain/scoring/bg-nbd.model.ts';
import {
  conditionalExpectedAverageSpend,
  customerLifetimeValue,
  fitGammaGamma,
  type GammaGammaFit,
} from '../../shared/domain/scoring/gamma-gamma.model.ts';
import {
  buildRfmSummary,
  type CustomerRfm,
  type Transaction,
} from '../../shared/domain/scoring/rfm-summary.ts';
import type { Bench } from './run.bench.ts';

/*
 * CDNOW 1/10 sample (2,357 customers of the 1997-Q1 cohort; see ../shared/benchdata/cdnow/README.md). The
 * RFM summary is rebuilt from the raw transactions (calibration 1997-01-01 … 1997-09-30, weeks) and checked
 * against the published summary files; BG/NBD and Gamma-Gamma are fitted on it and compared with the
 * published parameters (Fader, Hardie & Lee 2005; lifetimes tests), within 0.5%.
 */

const DATA = fileURLToPath(new URL('../../../shared/benchdata/cdnow/', import.meta.url));
const CALIBRATION_END = new Date(Date.UTC(1997, 8, 30));
const HOLDOUT_END = new Date(Date.UTC(1998, 5, 30));
const HOLDOUT_WEEKS = 39; // 1997-10-01 … 1998-06-30 = 273 days
const TOLERANCE = 0.005;

const BG_NBD_TARGETS = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 } as const;
const GAMMA_GAMMA_TARGETS = { p: 6.25, q: 3.74, v: 15.44 } as const;
const CONDITIONAL = { x: 2, tx: 30.43, T: 38.86, t: 39, target: 1.226 } as const;
const EXPECTED_CUMULATIVE: readonly (readonly [number, number])[] = [
  [0.1429, 0.0078],
  [1, 0.0532],
  [3, 0.1506],
  [31.8571, 1.0405],
  [32, 1.0437],
  [78, 1.8576],
];
const EXPECTED_SPEND = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17] as const;

/** `CDNOW_sample.txt`: master id, sample id, YYYYMMDD, number of CDs, dollar value (whitespace, CRLF). */
const readTransactions = async (): Promise<Transaction[]> =>
  (await readFile(`${DATA}CDNOW_sample.txt`, 'utf8'))
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [, sampleId = '', date = '', , dollars = ''] = l.trim().split(/\s+/);
      const at = new Date(
        Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8))),
      );
      return { customerId: String(Number(sampleId)), at, amount: Number(dollars) };
    });

const readCsv = async (file: string): Promise<number[][]> =>
  (await readFile(`${DATA}${file}`, 'utf8'))
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(',').map(Number));

/** Rows of `published` (id, then columns) that differ from the built summary by more than the 2-dp rounding. */
const mismatches = (
  built: ReadonlyMap<string, CustomerRfm>,
  published: readonly number[][],
  fields: readonly (keyof CustomerRfm)[],
): number => {
  let bad = published.length === built.size ? 0 : Math.abs(published.length - built.size);
  for (const [id, ...values] of published) {
    const c = built.get(String(id));
    if (!c) continue;
    if (fields.some((f, i) => Math.abs(Number(c[f]) - (values[i] ?? Number.NaN)) > 0.005 + 1e-9)) bad++;
  }
  return bad;
};

const relative = (value: number, target: number): number => (value - target) / target;
const mark = (value: number, target: number, tolerance = TOLERANCE): string =>
  `${value.toFixed(4).padStart(9)}  target ${String(target).padStart(6)}  rel. error ${(relative(value, target) * 100).toFixed(3).padStart(7)}%  ${Math.abs(relative(value, target)) <= tolerance ? 'OK' : 'MISS'}`;

/** Best of `runs` wall times of `work`, after one warm-up, with its last result. */
const timed = <T>(work: () => T, runs = 3): { result: T; ms: number } => {
  let result = work();
  let ms = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = work();
    ms = Math.min(ms, performance.now() - started);
  }
  return { result, ms };
};

const printBgNbd = (label: string, fit: BgNbdFit, ms: number): void => {
  const p = fit.parameters;
  console.log(
    `\nBG/NBD on ${label}: LL ${fit.logLikelihood.toFixed(2)}, ${fit.iterations} Nelder-Mead iterations (${fit.evaluations} evaluations, ${fit.converged ? 'converged' : 'NOT converged'}), fit ${ms.toFixed(0)} ms (best of 3)`,
  );
  console.log(`  r      ${mark(p.r, BG_NBD_TARGETS.r)}`);
  console.log(`  alpha  ${mark(p.alpha, BG_NBD_TARGETS.alpha)}`);
  console.log(`  a      ${mark(p.a, BG_NBD_TARGETS.a)}`);
  console.log(`  b      ${mark(p.b, BG_NBD_TARGETS.b)}`);
};

const printGammaGamma = (fit: GammaGammaFit, ms: number): void => {
  const p = fit.parameters;
  console.log(
    `\nGamma-Gamma on the ${fit.customers} repeat customers: LL ${fit.logLikelihood.toFixed(2)}, ${fit.iterations} iterations (${fit.converged ? 'converged' : 'NOT converged'}), fit ${ms.toFixed(0)} ms (best of 3)`,
  );
  console.log(`  p      ${mark(p.p, GAMMA_GAMMA_TARGETS.p)}`);
  console.log(`  q      ${mark(p.q, GAMMA_GAMMA_TARGETS.q)}`);
  console.log(`  v      ${mark(p.v, GAMMA_GAMMA_TARGETS.v)}`);
};

/** CDNOW: RFM summary rebuilt and checked, BG/NBD and Gamma-Gamma fitted against the published figures. */
export const lifetimeValueBench: Bench = {
  summary:
    'lifetime value on CDNOW: RFM summary check, BG/NBD + Gamma-Gamma MLE vs published parameters, predictions',
  run: async () => {
    const started = performance.now();
    const transactions = await readTransactions();
    const summary = buildRfmSummary(transactions, {
      calibrationEnd: CALIBRATION_END,
      holdoutEnd: HOLDOUT_END,
      unit: 'weeks',
    });
    const built = new Map(summary.map((c) => [c.customerId, c]));
    const buildMs = performance.now() - started;
    const publishedSummary = await readCsv('cdnow_customers_summary.csv');
    const publishedSpend = await readCsv('cdnow_customers_summary_with_transactions.csv');
    const repeatX = summary.reduce((s, c) => s + c.x, 0);
    console.log(
      `\nCDNOW sample: ${transactions.length.toLocaleString('en')} transactions → ${summary.length.toLocaleString('en')} customers, Σx ${repeatX.toLocaleString('en')} (read + build ${buildMs.toFixed(0)} ms)`,
    );
    console.log(
      `  vs cdnow_customers_summary.csv (${publishedSummary.length} rows, x / recency / T to 2 dp): ${mismatches(built, publishedSummary, ['x', 'tx', 'T'])} mismatches`,
    );
    console.log(
      `  vs cdnow_customers_summary_with_transactions.csv (x / t_x / T / zbar to 2 dp): ${mismatches(built, publishedSpend, ['x', 'tx', 'T', 'zbar'])} mismatches`,
    );

    const bg = timed(() => fitBgNbd(summary));
    printBgNbd('the summary built from transactions', bg.result, bg.ms);
    const published: PurchaseHistory[] = publishedSummary.map(([, x = 0, tx = 0, T = 0]) => ({ x, tx, T }));
    const bgPublished = timed(() => fitBgNbd(published));
    printBgNbd(
      'cdnow_customers_summary.csv (2-dp rounded, as published)',
      bgPublished.result,
      bgPublished.ms,
    );

    const gg = timed(() => fitGammaGamma(summary));
    printGammaGamma(gg.result, gg.ms);

    const bgp = bg.result.parameters;
    const ggp = gg.result.parameters;
    const { x, tx, T, t, target } = CONDITIONAL;
    console.log('\nPredictions (BG/NBD fit on the built summary):');
    console.log(
      `  E[X(T, T+${t}) | x=${x}, t_x=${tx}, T=${T}]  ${mark(conditionalExpectedPurchases(bgp, t, { x, tx, T }), target)}`,
    );
    console.log(
      `  same customer: P(alive) ${probabilityAlive(bgp, { x, tx, T }).toFixed(4)}, median next-purchase window ${nextPurchaseWindow(bgp, { x, tx, T }).toFixed(2)} weeks, 52-week CLV at 1%/month ${customerLifetimeValue({ bgNbd: bgp, gammaGamma: ggp }, { x, tx, T, zbar: built.get('1')?.zbar ?? 0 }, { horizon: 52, step: 52 / 12, discountRate: 0.01 }).toFixed(2)} $`,
    );
    console.log('  E[X(t)] per new customer (published, 4 dp):');
    for (const [weeks, expected] of EXPECTED_CUMULATIVE)
      console.log(`    t=${String(weeks).padEnd(8)} ${mark(expectedPurchases(bgp, weeks), expected, 0.01)}`);
    let predicted = 0;
    let actual = 0;
    for (const c of summary) {
      predicted += conditionalExpectedPurchases(bgp, HOLDOUT_WEEKS, c);
      actual += c.holdoutPurchases;
    }
    console.log(
      `  holdout (39 weeks): Σ E[X | history] ${predicted.toFixed(1)} vs ${actual} actual repeat purchase days (${(relative(predicted, actual) * 100).toFixed(1)}%)`,
    );
    console.log('  Gamma-Gamma E[spend | x, zbar], customers 1–10 (Hardie note 025):');
    const spend = EXPECTED_SPEND.map((expected, i) => {
      const c = built.get(String(i + 1));
      return { value: c ? conditionalExpectedAverageSpend(ggp, c) : Number.NaN, expected };
    });
    const worst = Math.max(...spend.map((s) => Math.abs(relative(s.value, s.expected))));
    console.log(
      `    ${spend.map((s) => s.value.toFixed(2)).join(' ')}\n    target ${EXPECTED_SPEND.join(' ')}; worst rel. error ${(worst * 100).toFixed(3)}%`,
    );
  },
};
