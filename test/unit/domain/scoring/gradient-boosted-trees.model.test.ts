import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../shared/domain/identity/seeded-random.ts';
import { rocAuc } from '../../../../shared/domain/scoring/binary-metrics.ts';
import {
  boostedBaseLogOdds,
  boostedContributions,
  boostedLogOdds,
  boostedLossCurve,
  firstTrees,
  fitGradientBoostedTrees,
  GradientBoostingInputError,
} from '../../../../shared/domain/scoring/gradient-boosted-trees.model.ts';
import {
  fitLogisticRegression,
  logisticLogOdds,
  sigmoid,
} from '../../../../shared/domain/scoring/logistic-regression.model.ts';
import type { FeatureMatrix } from '../../../../shared/domain/scoring/tabular-features.ts';

/** Churn ∝ a checkerboard in (x0, x1) plus a threshold on x2; x3 is noise. No linear signal in x0, x1. */
const nonLinear = (rows: number, seed: number) => {
  const random = seededRandom(seed);
  const p = 4;
  const values = new Float64Array(rows * p);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = [random() * 2 - 1, random() * 2 - 1, random() * 2 - 1, random() * 2 - 1];
    values.set(v, i * p);
    const z = 2.5 * Math.sign((v[0] ?? 0) * (v[1] ?? 0)) + ((v[2] ?? 0) > 0.5 ? 1.5 : -0.5);
    y[i] = random() < sigmoid(z) ? 1 : 0;
  }
  const x: FeatureMatrix = { rowCount: rows, featureCount: p, values };
  return { x, y };
};

const scores = (x: FeatureMatrix, f: (values: Float64Array, offset: number) => number) =>
  Array.from({ length: x.rowCount }, (_, i) => f(x.values, i * x.featureCount));

describe('fitGradientBoostedTrees', () => {
  const train = nonLinear(1500, 1);
  const test = nonLinear(1000, 2);
  const gbt = fitGradientBoostedTrees(train.x, train.y, seededRandom(3), {
    trees: 150,
    maxDepth: 3,
    learningRate: 0.1,
  });

  it('fits a non-linear function that logistic regression cannot', () => {
    const lr = fitLogisticRegression(train.x, train.y);
    const lrAuc = rocAuc(
      test.y,
      scores(test.x, (v, o) => logisticLogOdds(lr, v, o)),
    );
    const gbtAuc = rocAuc(
      test.y,
      scores(test.x, (v, o) => boostedLogOdds(gbt, v, o)),
    );
    expect(lrAuc).toBeLessThan(0.7);
    expect(gbtAuc).toBeGreaterThan(0.85);
    expect(gbtAuc - lrAuc).toBeGreaterThan(0.15);
  });

  it('base + Σ path contributions equals the log-odds (Saabas attribution is exact)', () => {
    for (let i = 0; i < 200; i++) {
      const c = boostedContributions(gbt, test.x.values, i * 4);
      const total = boostedBaseLogOdds(gbt) + c.reduce((a, b) => a + b, 0);
      expect(Math.abs(total - boostedLogOdds(gbt, test.x.values, i * 4))).toBeLessThan(1e-9);
    }
  });

  it('credits the informative features more than the noise feature', () => {
    const meanAbs = [0, 0, 0, 0];
    for (let i = 0; i < test.x.rowCount; i++)
      boostedContributions(gbt, test.x.values, i * 4).forEach((c, j) => {
        meanAbs[j] = (meanAbs[j] ?? 0) + Math.abs(c);
      });
    expect(meanAbs[3]).toBeLessThan((meanAbs[2] ?? 0) / 2);
    expect(meanAbs[3]).toBeLessThan((meanAbs[0] ?? 0) / 2);
  });

  it('loss curve: entry t is the log-loss of the first t trees, falling on the training rows', () => {
    const curve = boostedLossCurve(gbt, test.x, test.y);
    expect(curve).toHaveLength(151);
    for (const t of [0, 1, 40, 150]) {
      const model = firstTrees(gbt, t);
      let loss = 0;
      for (let i = 0; i < test.x.rowCount; i++) {
        const p = sigmoid(boostedLogOdds(model, test.x.values, i * 4));
        loss -= test.y[i] === 1 ? Math.log(p) : Math.log(1 - p);
      }
      expect(curve[t]).toBeCloseTo(loss, 6);
    }
    const onTrain = boostedLossCurve(gbt, train.x, train.y);
    expect(onTrain[150]).toBeLessThan((onTrain[0] ?? 0) * 0.8);
  });

  it('splits only on the allowed features', () => {
    const model = fitGradientBoostedTrees(train.x, train.y, seededRandom(3), {
      trees: 40,
      maxDepth: 3,
      splitFeatures: [1, 3],
    });
    const used = new Set(model.trees.flatMap((t) => Array.from(t.feature).filter((j) => j >= 0)));
    expect([...used].sort()).toEqual([1, 3]);
    expect(() => fitGradientBoostedTrees(train.x, train.y, seededRandom(3), { splitFeatures: [4] })).toThrow(
      GradientBoostingInputError,
    );
  });

  it('stops early once the held-out loss has not improved for `patience` rounds', () => {
    // Labels of pure noise: the held-out loss is best after a few rounds, and boosting stops soon after.
    const random = seededRandom(5);
    const noise = Uint8Array.from(train.y, () => (random() < 0.5 ? 1 : 0));
    const heldNoise = Uint8Array.from(test.y, () => (random() < 0.5 ? 1 : 0));
    const options = { trees: 400, maxDepth: 3, learningRate: 0.3 };
    const stopped = fitGradientBoostedTrees(train.x, noise, seededRandom(3), {
      ...options,
      earlyStopping: { x: test.x, y: heldNoise, patience: 20 },
    });
    expect(stopped.trees.length).toBeLessThan(400);
    const curve = boostedLossCurve(stopped, test.x, heldNoise);
    const best = curve.indexOf(Math.min(...curve.subarray(1)));
    expect(stopped.trees.length).toBe(best + 20);
    // The rounds it kept are the ones an unwatched fit grows.
    const full = fitGradientBoostedTrees(train.x, noise, seededRandom(3), options);
    expect(boostedLogOdds(stopped, test.x.values, 0)).toBe(
      boostedLogOdds(firstTrees(full, stopped.trees.length), test.x.values, 0),
    );
  });

  it('is reproducible for a seed', () => {
    const again = fitGradientBoostedTrees(train.x, train.y, seededRandom(3), {
      trees: 150,
      maxDepth: 3,
      learningRate: 0.1,
    });
    expect(boostedLogOdds(again, test.x.values, 0)).toBe(boostedLogOdds(gbt, test.x.values, 0));
  });
});
