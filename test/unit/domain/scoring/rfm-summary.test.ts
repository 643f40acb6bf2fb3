import { describe, expect, it } from 'vitest';
import {
  buildRfmSummary,
  RfmSummaryError,
  type Transaction,
} from '../../../../shared/domain/scoring/rfm-summary.ts';

const at = (iso: string) => new Date(`${iso}T00:00:00Z`);
const tx = (customerId: string, iso: string, amount: number): Transaction => ({
  customerId,
  at: new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso),
  amount,
});

// Calibration ends 2024-01-29 (inclusive); holdout runs to 2024-02-12.
const TRANSACTIONS: Transaction[] = [
  tx('a', '2024-01-01', 10),
  tx('a', '2024-01-01T23:59:59Z', 5), // same UTC day as the first: one purchase of 15
  tx('a', '2024-01-08', 20),
  tx('a', '2024-01-15', 30),
  tx('a', '2024-02-05', 99), // holdout
  tx('b', '2024-01-15', 7), // one purchase only
  tx('c', '2024-02-01', 50), // first purchase after calibration: not in the cohort
  tx('a', '2024-03-01', 1), // after the holdout: ignored
];

describe('Domain: RFM summary', () => {
  it('builds x, recency, age and mean repeat spend in weeks, same-day purchases merged', () => {
    // Act
    const summary = buildRfmSummary(TRANSACTIONS, {
      calibrationEnd: at('2024-01-29'),
      holdoutEnd: at('2024-02-12'),
    });
    // Assess
    expect(summary).toEqual([
      { customerId: 'a', x: 2, tx: 2, T: 4, zbar: 25, holdoutPurchases: 1, holdoutSpend: 99 },
      { customerId: 'b', x: 0, tx: 0, T: 2, zbar: 0, holdoutPurchases: 0, holdoutSpend: 0 },
    ]);
  });

  it('measures in days when asked and ignores everything after calibration without a holdout', () => {
    // Act
    const summary = buildRfmSummary(TRANSACTIONS, { calibrationEnd: at('2024-01-29'), unit: 'days' });
    // Assess
    expect(summary[0]).toEqual({
      customerId: 'a',
      x: 2,
      tx: 14,
      T: 28,
      zbar: 25,
      holdoutPurchases: 0,
      holdoutSpend: 0,
    });
    expect(summary.map((c) => c.customerId)).toEqual(['a', 'b']);
  });

  it('refuses a holdout that ends before calibration and invalid dates or amounts', () => {
    expect(() =>
      buildRfmSummary(TRANSACTIONS, { calibrationEnd: at('2024-01-29'), holdoutEnd: at('2024-01-01') }),
    ).toThrow(RfmSummaryError);
    expect(() =>
      buildRfmSummary([{ customerId: 'a', at: new Date('nope'), amount: 1 }], {
        calibrationEnd: at('2024-01-29'),
      }),
    ).toThrow(RfmSummaryError);
    expect(() =>
      buildRfmSummary([tx('a', '2024-01-01', Number.NaN)], { calibrationEnd: at('2024-01-29') }),
    ).toThrow(/invalid amount/);
  });
});
