import { describe, expect, it } from 'vitest';
import {
  BinaryLabelError,
  binaryLabels,
  ColumnNotFoundError,
  detectColumns,
  encodeRows,
  fitFeatureEncoder,
  isValueTransform,
  parseBinaryLabel,
  type RawTable,
} from '../../../../shared/domain/scoring/tabular-features.ts';

const table: RawTable = {
  header: ['id', 'plan', 'spend', 'constant', 'empty', 'flag', 'label'],
  rows: [
    ['a', 'basic', '10', 'x', '', '1', 'Yes'],
    ['b', 'pro', ' ', 'x', '', '0', 'no'],
    ['c', 'basic', '30', 'x', '', '1', 'TRUE'],
    ['d', 'rare', '20', 'x', 'NA', '0', '0'],
  ],
};

describe('binary labels', () => {
  it('reads yes/no, true/false, 1/0 in any case', () => {
    expect(Array.from(binaryLabels(table, 'label'))).toEqual([1, 0, 1, 0]);
  });

  it('names the column, the row and the bad value', () => {
    expect(() => parseBinaryLabel('maybe', 'Churn', 7)).toThrow(BinaryLabelError);
    expect(() => parseBinaryLabel('maybe', 'Churn', 7)).toThrow(
      "label column 'Churn', row 7: value 'maybe' is not a binary label (expected yes/no, true/false or 1/0)",
    );
    expect(() => binaryLabels(table, 'Churned')).toThrow(ColumnNotFoundError);
  });
});

describe('detectColumns', () => {
  it('finds numeric (blanks allowed) and categorical columns, skipping constant and empty ones', () => {
    const { columns, skipped } = detectColumns(table, ['id', 'label']);
    expect(columns.map((c) => [c.name, c.kind])).toEqual([
      ['plan', 'categorical'],
      ['spend', 'numeric'],
      ['flag', 'numeric'],
    ]);
    expect(skipped).toEqual([
      { name: 'constant', reason: 'constant' },
      { name: 'empty', reason: 'no values' },
    ]);
  });
});

describe('fitFeatureEncoder', () => {
  const { columns } = detectColumns(table, ['id', 'label']);

  it('fits on the training rows only: mean, scale and levels come from them', () => {
    // Train on a, b, c: spend mean 20 (b missing), sd 10; plan levels basic (2), pro (1).
    const encoder = fitFeatureEncoder(table, columns, [0, 1, 2], { minLevelCount: 1, splineKnots: 0 });
    expect(encoder.features.map((f) => f.name)).toEqual([
      'plan=basic',
      'plan=pro',
      'plan=(other)',
      'spend',
      'spend (missing)',
      'flag',
    ]);
    const x = encodeRows(encoder, table, [3, 1]);
    const row = (i: number) => Array.from(x.values.subarray(i * 6, (i + 1) * 6));
    // d: plan 'rare' is unseen → other; spend 20 → 0; not missing → 0 − 1/3; flag 0 → (0 − 2/3)/(√2/3).
    const flagSd = Math.sqrt(2 / 9);
    expect(row(0)).toEqual([
      expect.closeTo(-2 / 3, 12),
      expect.closeTo(-1 / 3, 12),
      expect.closeTo(1, 12),
      expect.closeTo(0, 12),
      expect.closeTo(-1 / 3, 12),
      expect.closeTo(-2 / 3 / flagSd, 12),
    ]);
    // b: spend missing → mean → 0, indicator 1 − 1/3.
    expect(row(1)[3]).toBe(0);
    expect(row(1)[4]).toBeCloseTo(2 / 3, 12);
  });

  it('centres every feature on the training rows', () => {
    const encoder = fitFeatureEncoder(table, columns, [0, 1, 2, 3], { minLevelCount: 1 });
    const x = encodeRows(encoder, table, [0, 1, 2, 3]);
    for (let j = 0; j < x.featureCount; j++) {
      let sum = 0;
      for (let i = 0; i < x.rowCount; i++) sum += x.values[i * x.featureCount + j] ?? 0;
      expect(Math.abs(sum)).toBeLessThan(1e-12);
    }
  });

  it('adds hinge features for numeric columns with many distinct values', () => {
    const wide: RawTable = {
      header: ['n', 'y'],
      rows: Array.from({ length: 50 }, (_, i) => [String(i), i % 2 ? 'yes' : 'no']),
    };
    const encoder = fitFeatureEncoder(wide, detectColumns(wide, ['y']).columns, [...Array(50).keys()], {
      splineKnots: 3,
    });
    expect(encoder.features.map((f) => f.name)).toEqual([
      'n',
      'n (log)',
      'n (above 12)',
      'n (above 25)',
      'n (above 37)',
    ]);
    expect(encoder.features.map((f) => f.term)).toEqual(['value', 'log', 'hinge', 'hinge', 'hinge']);
    expect(encoder.features.map(isValueTransform)).toEqual([false, true, true, true, true]);
  });

  describe('log term', () => {
    // n = 0 … 49 with two blanks; m = n − 5 has negative values; k has 5 distinct values.
    const wide: RawTable = {
      header: ['n', 'm', 'k', 'y'],
      rows: Array.from({ length: 50 }, (_, i) => [
        i === 7 || i === 30 ? '' : String(i),
        String(i - 5),
        String(i % 5),
        i % 2 ? 'yes' : 'no',
      ]),
    };
    const columns = detectColumns(wide, ['y']).columns;
    const rows = [...Array(50).keys()];

    it('is log(1 + x), standardised on the training rows, for non-negative columns with ≥ 10 values', () => {
      const encoder = fitFeatureEncoder(wide, columns, rows, { splineKnots: 0 });
      expect(encoder.features.map((f) => f.name)).toEqual(['n', 'n (missing)', 'n (log)', 'm', 'k']);
      const x = encodeRows(encoder, wide, rows);
      const log = x.values.filter((_, at) => at % x.featureCount === 2);
      // Blank n is imputed with the mean of the 48 present values before the transform.
      const present = rows.filter((i) => i !== 7 && i !== 30);
      const mean = present.reduce((a, b) => a + b, 0) / present.length;
      const raw = rows.map((i) => Math.log1p(present.includes(i) ? i : mean));
      const rawMean = raw.reduce((a, b) => a + b, 0) / raw.length;
      const sd = Math.sqrt(raw.reduce((a, b) => a + (b - rawMean) ** 2, 0) / raw.length);
      expect(Array.from(log)).toEqual(raw.map((v) => expect.closeTo((v - rawMean) / sd, 12)));
    });

    it('counts a negative value met when scoring as 0, and can be turned off', () => {
      const encoder = fitFeatureEncoder(wide, columns, rows, { splineKnots: 0 });
      const scored = encodeRows(
        encoder,
        {
          header: wide.header,
          rows: [
            ['-3', '0', '0', 'no'],
            ['0', '0', '0', 'no'],
          ],
        },
        [0, 1],
      );
      expect(scored.values[2]).toBe(scored.values[scored.featureCount + 2]);
      const off = fitFeatureEncoder(wide, columns, rows, { splineKnots: 0, logTransform: false });
      expect(off.features.map((f) => f.name)).toEqual(['n', 'n (missing)', 'm', 'k']);
    });
  });
});
