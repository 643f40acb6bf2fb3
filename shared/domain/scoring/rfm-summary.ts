/*
 * The recency-frequency-monetary summary the buy-till-you-die models are fitted on, built from a list of
 * transactions and a calibration end date (Fader, Hardie & Lee 2005, and the lifetimes convention):
 *   x     repeat purchases: distinct purchase days in the calibration period, minus the first;
 *   tx    time from the first purchase to the last one (recency);
 *   T     time from the first purchase to the end of calibration (the customer's age);
 *   zbar  mean spend per repeat purchase day (the first day's spend left out; 0 when x = 0).
 * Purchases on one calendar day (UTC) count as one transaction with the day's summed amount. Customers
 * whose first purchase falls after the calibration end are not in the cohort and left out. Optional holdout:
 * purchase days and spend in (calibration end, holdout end], to compare predictions with.
 */

export class RfmSummaryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RfmSummaryError';
  }
}

export type Transaction = {
  readonly customerId: string;
  readonly at: Date;
  readonly amount: number;
};

export type RfmTimeUnit = 'days' | 'weeks';

export type RfmSummaryOptions = {
  /** Last day (inclusive, UTC calendar day) of the calibration period. */
  readonly calibrationEnd: Date;
  /** Last day (inclusive) of an optional holdout period right after calibration. */
  readonly holdoutEnd?: Date | undefined;
  /** Unit of tx and T. @default 'weeks' */
  readonly unit?: RfmTimeUnit | undefined;
};

export type CustomerRfm = {
  readonly customerId: string;
  /** Repeat purchases in the calibration period. */
  readonly x: number;
  /** Recency: first to last purchase. */
  readonly tx: number;
  /** Age: first purchase to calibration end. */
  readonly T: number;
  /** Mean spend per repeat purchase day; 0 when x = 0. */
  readonly zbar: number;
  /** Purchase days in the holdout period (0 without one). */
  readonly holdoutPurchases: number;
  /** Spend in the holdout period (0 without one). */
  readonly holdoutSpend: number;
};

const DAY_MS = 86_400_000;
const dayOf = (d: Date): number => Math.floor(d.getTime() / DAY_MS);

type Accumulator = { days: Map<number, number> };

/** One row per customer in the cohort, in order of first appearance in `transactions`. */
export const buildRfmSummary = (
  transactions: Iterable<Transaction>,
  options: RfmSummaryOptions,
): CustomerRfm[] => {
  const end = dayOf(options.calibrationEnd);
  const holdoutEnd = options.holdoutEnd === undefined ? end : dayOf(options.holdoutEnd);
  if (!Number.isFinite(end) || !Number.isFinite(holdoutEnd))
    throw new RfmSummaryError('calibrationEnd and holdoutEnd must be valid dates');
  if (holdoutEnd < end) throw new RfmSummaryError('holdoutEnd is before calibrationEnd');
  const scale = (options.unit ?? 'weeks') === 'weeks' ? 7 : 1;
  const customers = new Map<string, Accumulator>();
  for (const t of transactions) {
    const day = dayOf(t.at);
    if (!Number.isFinite(day)) throw new RfmSummaryError(`invalid date for customer ${t.customerId}`);
    if (!Number.isFinite(t.amount)) throw new RfmSummaryError(`invalid amount for customer ${t.customerId}`);
    let c = customers.get(t.customerId);
    if (!c) {
      c = { days: new Map() };
      customers.set(t.customerId, c);
    }
    if (day <= holdoutEnd) c.days.set(day, (c.days.get(day) ?? 0) + t.amount);
  }
  const out: CustomerRfm[] = [];
  for (const [customerId, { days }] of customers) {
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    let count = 0;
    let spend = 0;
    let holdoutPurchases = 0;
    let holdoutSpend = 0;
    for (const [day, amount] of days) {
      if (day > end) {
        holdoutPurchases++;
        holdoutSpend += amount;
        continue;
      }
      count++;
      spend += amount;
      first = Math.min(first, day);
      last = Math.max(last, day);
    }
    if (count === 0) continue;
    const x = count - 1;
    const firstSpend = days.get(first) ?? 0;
    out.push({
      customerId,
      x,
      tx: (last - first) / scale,
      T: (end - first) / scale,
      zbar: x > 0 ? (spend - firstSpend) / x : 0,
      holdoutPurchases,
      holdoutSpend,
    });
  }
  return out;
};
