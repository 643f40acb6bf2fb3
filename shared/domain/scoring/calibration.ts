import { logit, sigmoid, softplus } from './logistic-regression.model.ts';

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
      sum += softplus(z) - t * z;
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

export type BlendOptions = {
  /** The weight kept unless the fitted one does clearly better (default 0.5: equal weights). */
  readonly prior?: number;
  /**
   * How much lower (in nats: Σ log-loss) the fitted weight's loss must be than the prior's (default 1,
   * AIC's price of one fitted parameter). Two models of about equal skill give a flat loss in w, whose
   * minimum is noise; equal weights are the sturdier choice there.
   */
  readonly minGain?: number;
};

/**
 * Stacking two models: the weight w ∈ [0, 1] minimising the log-loss of σ(w·a + (1 − w)·b), where a and b
 * are the two models' (calibrated) log-odds of the same rows, out of fold; or the prior weight when that
 * minimum is not clearly lower (see `BlendOptions`). Weights summing to 1 keep the blend calibrated when
 * its parts are; the loss is convex in w, so a golden-section search finds its minimum.
 */
export const fitBlendWeight = (
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: BlendOptions = {},
): number => {
  const prior = options.prior ?? 0.5;
  const minGain = options.minGain ?? 1;
  const n = a.length;
  if (b.length !== n || labels.length !== n)
    throw new CalibrationInputError(`${n}, ${b.length} scores but ${labels.length} labels`);
  if (n === 0) throw new CalibrationInputError('no scores to blend');
  const loss = (w: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const z = w * (a[i] ?? 0) + (1 - w) * (b[i] ?? 0);
      sum += softplus(labels[i] === 1 ? -z : z);
    }
    return sum;
  };
  const ratio = (Math.sqrt(5) - 1) / 2;
  let lo = 0;
  let hi = 1;
  let x1 = hi - ratio * (hi - lo);
  let x2 = lo + ratio * (hi - lo);
  let f1 = loss(x1);
  let f2 = loss(x2);
  while (hi - lo > 1e-6) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - ratio * (hi - lo);
      f1 = loss(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + ratio * (hi - lo);
      f2 = loss(x2);
    }
  }
  // The ends are candidates too (the search only approaches them).
  const candidates = [0, (lo + hi) / 2, 1];
  const losses = candidates.map(loss);
  const least = Math.min(...losses);
  return least < loss(prior) - minGain ? (candidates[losses.indexOf(least)] ?? prior) : prior;
};
