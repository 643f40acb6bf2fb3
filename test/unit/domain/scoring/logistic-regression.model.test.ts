import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../shared/domain/identity/seeded-random.ts';
import {
  fitLogisticRegression,
  LogisticRegressionInputError,
  logisticContributions,
  logisticLogOdds,
  sigmoid,
  solveSymmetricPositiveDefinite,
} from '../../../../shared/domain/scoring/logistic-regression.model.ts';
import type { FeatureMatrix } from '../../../../shared/domain/scoring/tabular-features.ts';

/** Standard-normal features, labels drawn from σ(intercept + w·x). */
const synthetic = (rows: number, w: readonly number[], intercept: number, seed: number) => {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const p = w.length;
  const values = new Float64Array(rows * p);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    let z = intercept;
    for (let j = 0; j < p; j++) {
      const v = normal();
      values[i * p + j] = v;
      z += (w[j] ?? 0) * v;
    }
    y[i] = random() < sigmoid(z) ? 1 : 0;
  }
  const x: FeatureMatrix = { rowCount: rows, featureCount: p, values };
  return { x, y };
};

describe('fitLogisticRegression', () => {
  it('recovers a known direction and intercept', () => {
    const truth = [2, -1, 0, 0.5];
    const { x, y } = synthetic(4000, truth, -0.5, 11);
    const model = fitLogisticRegression(x, y, { l2: 1e-3 });
    model.weights.forEach((w, j) => {
      expect(Math.abs(w - (truth[j] ?? 0))).toBeLessThan(0.15);
    });
    expect(Math.abs(model.intercept + 0.5)).toBeLessThan(0.15);
  });

  it('shrinks weights towards 0 as the L2 penalty grows', () => {
    const { x, y } = synthetic(500, [1.5, -1], 0, 3);
    const norm = (l2: number) => Math.hypot(...fitLogisticRegression(x, y, { l2 }).weights);
    expect(norm(1000)).toBeLessThan(norm(10));
    expect(norm(10)).toBeLessThan(norm(0.01));
  });

  it('stays finite on perfectly separable data', () => {
    const x: FeatureMatrix = { rowCount: 4, featureCount: 1, values: Float64Array.from([-2, -1, 1, 2]) };
    const model = fitLogisticRegression(x, [0, 0, 1, 1], { l2: 0.1 });
    expect(Number.isFinite(model.weights[0])).toBe(true);
    expect(model.weights[0]).toBeGreaterThan(1);
  });

  it('reaches the same optimum from a warm start (a path of penalties)', () => {
    const { x, y } = synthetic(800, [1, -2, 0.5, 0, 0], 0.3, 8);
    const strong = fitLogisticRegression(x, y, { l2: 100 });
    const cold = fitLogisticRegression(x, y, { l2: 0.5 });
    const warm = fitLogisticRegression(x, y, { l2: 0.5, initial: strong });
    expect(warm.intercept).toBeCloseTo(cold.intercept, 8);
    warm.weights.forEach((w, j) => {
      expect(w).toBeCloseTo(cold.weights[j] ?? Number.NaN, 8);
    });
    expect(() =>
      fitLogisticRegression(x, y, { initial: { intercept: 0, weights: new Float64Array(2) } }),
    ).toThrow(LogisticRegressionInputError);
  });

  it('intercept + Σ contributions is the log-odds', () => {
    const { x, y } = synthetic(300, [1, 2, -3], 0.2, 5);
    const model = fitLogisticRegression(x, y);
    for (let i = 0; i < 10; i++) {
      const c = logisticContributions(model, x.values, i * 3);
      expect(model.intercept + c.reduce((a, b) => a + b, 0)).toBeCloseTo(
        logisticLogOdds(model, x.values, i * 3),
        12,
      );
    }
  });
});

describe('solveSymmetricPositiveDefinite', () => {
  it('solves a 2×2 system and refuses an indefinite matrix', () => {
    const x = solveSymmetricPositiveDefinite(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1]), 2);
    expect(Array.from(x ?? [])).toEqual([expect.closeTo(0.5, 12), expect.closeTo(0, 12)]);
    expect(
      solveSymmetricPositiveDefinite(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2),
    ).toBe(undefined);
  });
});
