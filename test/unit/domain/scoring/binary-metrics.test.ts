import { describe, expect, it } from 'vitest';
import {
  accuracy,
  brierScore,
  calibrationTable,
  expectedCalibrationError,
  logLoss,
  MetricInputError,
  rocAuc,
} from '../../../../shared/domain/scoring/binary-metrics.ts';

describe('rocAuc', () => {
  it('counts a tie between a positive and a negative as one half', () => {
    // Positives 0.9, 0.5, 0.5; negatives 0.9, 0.1. Pairs: (0.9,0.9) ½, (0.9,0.1) 1, (0.5,0.9) 0 twice,
    // (0.5,0.1) 1 twice → 3.5 / 6.
    expect(rocAuc([1, 0, 1, 0, 1], [0.9, 0.9, 0.5, 0.1, 0.5])).toBeCloseTo(3.5 / 6, 12);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one, ½ when every score ties', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
    expect(rocAuc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });

  it('is NaN when a class is absent, and rejects mismatched lengths', () => {
    expect(rocAuc([1, 1], [0.2, 0.4])).toBeNaN();
    expect(() => rocAuc([1, 0], [0.2])).toThrow(MetricInputError);
  });
});

describe('accuracy, Brier, log-loss', () => {
  it('match hand-computed values', () => {
    const y = [1, 0, 1, 0];
    const p = [0.8, 0.4, 0.5, 0.6];
    // Predictions at ≥ 0.5: 1, 0, 1, 1 → 3 of 4 right.
    expect(accuracy(y, p)).toBe(0.75);
    // (0.04 + 0.16 + 0.25 + 0.36) / 4
    expect(brierScore(y, p)).toBeCloseTo(0.2025, 12);
    expect(logLoss(y, p)).toBeCloseTo(
      -(Math.log(0.8) + Math.log(0.6) + Math.log(0.5) + Math.log(0.4)) / 4,
      12,
    );
  });
});

describe('calibrationTable', () => {
  it('cuts rows sorted by probability into equal-count bins with mean prediction and observed rate', () => {
    const p = Array.from({ length: 20 }, (_, i) => (i + 0.5) / 20);
    const y = p.map((_, i) => (i % 4 === 3 ? 1 : 0));
    const table = calibrationTable(y, p);
    expect(table).toHaveLength(10);
    expect(table.map((b) => b.count)).toEqual(Array(10).fill(2));
    expect(table[0]).toMatchObject({ bin: 1, meanPredicted: 0.05, observedRate: 0 });
    expect(table[1]?.observedRate).toBe(0.5);
    expect(table[9]?.meanPredicted).toBeCloseTo(0.95, 12);
    // |0.05−0| + |0.15−0.5| + … weighted equally.
    const ece = table.reduce((a, b) => a + Math.abs(b.meanPredicted - b.observedRate), 0) / 10;
    expect(expectedCalibrationError(table)).toBeCloseTo(ece, 12);
  });

  it('never returns empty bins for fewer rows than bins', () => {
    expect(calibrationTable([1, 0, 1], [0.9, 0.1, 0.5]).map((b) => b.count)).toEqual([1, 1, 1]);
  });
});
