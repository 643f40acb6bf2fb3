import { describe, expect, it } from 'vitest';
import {
  BinaryLabelError,
  binaryLabels,
  ColumnNotFoundError,
  detectColumns,
  encodeRows,
  fitFeatureEncoder,
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
      'n (above 12)',
      'n (above 25)',
      'n (above 37)',
    ]);
  });
});
