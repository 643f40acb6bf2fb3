import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../shared/domain/identity/seeded-random.ts';
import { brierScore } from '../../../../shared/domain/scoring/binary-metrics.ts';
import {
  CalibrationInputError,
  calibratedProbability,
  fitBlendWeight,
  fitPlattCalibration,
} from '../../../../shared/domain/scoring/calibration.ts';
import { sigmoid } from '../../../../shared/domain/scoring/logistic-regression.model.ts';

/** True log-odds z; the "model" reports 3z (overconfident). */
const overconfident = (rows: number, seed: number) => {
  const random = seededRandom(seed);
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < rows; i++) {
    const z = 4 * random() - 2;
    scores.push(3 * z);
    labels.push(random() < sigmoid(z) ? 1 : 0);
  }
  return { scores, labels };
};

describe('fitPlattCalibration', () => {
  it('undoes overconfidence and lowers the Brier score', () => {
    const { scores, labels } = overconfident(5000, 1);
    const c = fitPlattCalibration(scores, labels);
    expect(c.slope).toBeCloseTo(1 / 3, 1);
    const raw = brierScore(labels, scores.map(sigmoid));
    const calibrated = brierScore(
      labels,
      scores.map((s) => calibratedProbability(c, s)),
    );
    expect(calibrated).toBeLessThan(raw);
  });

  it('is monotone non-decreasing in the score, even for scores ranked backwards', () => {
    const { scores, labels } = overconfident(1000, 2);
    const grid = Array.from({ length: 101 }, (_, i) => -10 + i / 5);
    for (const s of [scores, scores.map((v) => -v)]) {
      const c = fitPlattCalibration(s, labels);
      const p = grid.map((g) => calibratedProbability(c, g));
      for (let i = 1; i < p.length; i++) expect(p[i]).toBeGreaterThanOrEqual(p[i - 1] ?? 0);
    }
    // Backwards scores carry no usable signal: a flat map at the (smoothed) base rate.
    const flat = fitPlattCalibration(
      scores.map((v) => -v),
      labels,
    );
    expect(flat.slope).toBe(0);
    const rate = labels.reduce((a, b) => a + b, 0) / labels.length;
    expect(calibratedProbability(flat, 0)).toBeCloseTo(rate, 2);
  });
});

describe('fitBlendWeight', () => {
  /** True log-odds z; model a sees z plus noise of sd `noiseA`, model b plus noise of sd `noiseB`. */
  const twoModels = (rows: number, noiseA: number, noiseB: number, seed: number) => {
    const random = seededRandom(seed);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const a: number[] = [];
    const b: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < rows; i++) {
      const z = 2 * normal();
      a.push(z + noiseA * normal());
      b.push(z + noiseB * normal());
      labels.push(random() < sigmoid(z) ? 1 : 0);
    }
    return { a, b, labels };
  };

  it('leans on the better model when the out-of-fold loss says so clearly', () => {
    const { a, b, labels } = twoModels(4000, 0.2, 2, 1);
    const w = fitBlendWeight(a, b, labels);
    expect(w).toBeGreaterThan(0.8);
    expect(fitBlendWeight(b, a, labels)).toBeCloseTo(1 - w, 4);
  });

  it('keeps equal weights when the two models are about as good (a flat loss is noise)', () => {
    const { a, b, labels } = twoModels(600, 0.5, 0.5, 2);
    expect(fitBlendWeight(a, b, labels)).toBe(0.5);
    // Without the 1-nat price, the minimum of the flat loss is somewhere else.
    expect(fitBlendWeight(a, b, labels, { minGain: 0 })).not.toBe(0.5);
  });

  it('refuses mismatched or empty input', () => {
    expect(() => fitBlendWeight([1], [1, 2], [1, 0])).toThrow(CalibrationInputError);
    expect(() => fitBlendWeight([], [], [])).toThrow(CalibrationInputError);
  });
});
