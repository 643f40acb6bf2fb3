import { logit, sigmoid } from './logistic-regression.model.ts';

/*
 * Platt scaling: a one-dimensional logistic regression p = σ(a·s + b) of a model's raw log-odds s, fitted
 * on out-of-fold scores (never on the rows the model was trained on) with Platt's smoothed targets
 * (N₊+1)/(N₊+2) and 1/(N₋+2). The slope is constrained to a ≥ 0, so the calibrated probability is a
 * non-decreasing function of the score; a score carrying no signal gets a = 0 (the base rate). Being
 * affine in log-odds, it keeps per-feature contributions additive: they scale by a.
 */

export type PlattCalibration = { readonly slope: number; readonly intercept: number };

export class CalibrationInputError extends Error {
  override readonly name = 'CalibrationInputError';
}

export const calibratedLogOdds = (c: PlattCalibration, score: number): number =>
  c.slope * score + c.intercept;

export const calibratedProbability = (c: PlattCalibration, score: number): number =>
  sigmoid(calibratedLogOdds(c, score));

export const fitPlattCalibration = (
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): PlattCalibration => {
  const n = scores.length;
  if (labels.length !== n) throw new CalibrationInputError(`${n} scores but ${labels.length} labels`);
  if (n === 0) throw new CalibrationInputError('no scores to calibrate');
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] === 1 ? 1 : 0;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (n - positives + 2);
  const target = (i: number) => (labels[i] === 1 ? hi : lo);
  const loss = (a: number, b: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const z = a * (scores[i] ?? 0) + b;
      const t = target(i);
      // −[t log σ(z) + (1 − t) log(1 − σ(z))] = softplus(z) − t·z
      sum += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t * z;
    }
    return sum;
  };
  const solve = (withSlope: boolean): PlattCalibration => {
    const mean = positives / n;
    // From the identity map (scores are log-odds), or from the base rate when the slope is pinned at 0.
    let a = withSlope ? 1 : 0;
    let b = withSlope ? 0 : logit(mean);
    let current = loss(a, b);
    for (let iteration = 0; iteration < 100; iteration++) {
      let ga = 0;
      let gb = 0;
      let haa = 0;
      let hab = 0;
      let hbb = 0;
      for (let i = 0; i < n; i++) {
        const s = scores[i] ?? 0;
        const q = sigmoid(a * s + b);
        const r = q - target(i);
        const w = Math.max(q * (1 - q), 1e-12);
        ga += r * s;
        gb += r;
        haa += w * s * s;
        hab += w * s;
        hbb += w;
      }
      let da: number;
      let db: number;
      if (withSlope) {
        haa += 1e-12;
        const det = haa * hbb - hab * hab;
        if (!(det > 0)) break;
        da = (hbb * ga - hab * gb) / det;
        db = (haa * gb - hab * ga) / det;
      } else {
        da = 0;
        db = gb / hbb;
      }
      let t = 1;
      let next = current;
      for (let halving = 0; halving < 30; halving++, t /= 2) {
        next = loss(a - t * da, b - t * db);
        if (next <= current) break;
      }
      a -= t * da;
      b -= t * db;
      const moved = Math.max(Math.abs(t * da), Math.abs(t * db));
      current = next;
      if (moved < 1e-10) break;
    }
    return { slope: a, intercept: b };
  };
  const free = solve(true);
  return free.slope >= 0 ? free : solve(false);
};
