import type { FeatureMatrix } from './tabular-features.ts';

/*
 * L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least squares) with
 * step halving. The objective is Σ log-loss + (l2 / 2)·‖w‖²; the intercept is not penalised. Small feature
 * counts (tens to a few hundred) make the (p+1)² Hessian and its Cholesky solve cheap.
 */

export type LogisticRegressionOptions = {
  /** L2 penalty on the weights (default 1). */
  readonly l2?: number;
  readonly maxIterations?: number;
  /** Stop when no parameter moves by more than this (default 1e-8). */
  readonly tolerance?: number;
  /**
   * Start from this model instead of the base rate (a warm start, e.g. along a path of penalties); it must
   * have one weight per feature. The optimum does not depend on it, only the iterations to reach it.
   */
  readonly initial?: LogisticRegressionModel;
};

export type LogisticRegressionModel = {
  readonly intercept: number;
  readonly weights: Float64Array;
};

export class LogisticRegressionInputError extends Error {
  override readonly name = 'LogisticRegressionInputError';
}

export const sigmoid = (z: number): number =>
  z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));

/** log(p / (1 − p)), p clipped to [1e-12, 1 − 1e-12]. */
export const logit = (p: number): number => {
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  return Math.log(q / (1 - q));
};

/** log(1 + e^z) without overflow. */
export const softplus = (z: number): number =>
  z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));

/**
 * Solves A x = b for a symmetric positive-definite A (n × n, row-major) by Cholesky; A is overwritten.
 * Returns undefined when A is not positive definite.
 */
export const solveSymmetricPositiveDefinite = (a: Float64Array, b: Float64Array, n: number) => {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j] ?? 0;
    for (let k = 0; k < j; k++) d -= (a[j * n + k] ?? 0) ** 2;
    if (!(d > 0)) return undefined;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) s -= (a[i * n + k] ?? 0) * (a[j * n + k] ?? 0);
      a[i * n + j] = s / l;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i] ?? 0;
    for (let k = 0; k < i; k++) s -= (a[i * n + k] ?? 0) * (x[k] ?? 0);
    x[i] = s / (a[i * n + i] ?? 1);
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i] ?? 0;
    for (let k = i + 1; k < n; k++) s -= (a[k * n + i] ?? 0) * (x[k] ?? 0);
    x[i] = s / (a[i * n + i] ?? 1);
  }
  return x;
};

/** Log-odds of row `i` of `x` (or of a single row given as values at `offset`). */
export const logisticLogOdds = (model: LogisticRegressionModel, values: ArrayLike<number>, offset = 0) => {
  let z = model.intercept;
  const w = model.weights;
  for (let j = 0; j < w.length; j++) z += (w[j] ?? 0) * (values[offset + j] ?? 0);
  return z;
};

/** Per-feature contributions w_j·x_j of one row; intercept + Σ contributions is its log-odds. */
export const logisticContributions = (
  model: LogisticRegressionModel,
  values: ArrayLike<number>,
  offset = 0,
): Float64Array => {
  const w = model.weights;
  const out = new Float64Array(w.length);
  for (let j = 0; j < w.length; j++) out[j] = (w[j] ?? 0) * (values[offset + j] ?? 0);
  return out;
};

const objective = (x: FeatureMatrix, y: ArrayLike<number>, beta: Float64Array, l2: number): number => {
  const p = x.featureCount;
  let loss = 0;
  for (let i = 0; i < x.rowCount; i++) {
    let z = beta[p] ?? 0;
    for (let j = 0; j < p; j++) z += (beta[j] ?? 0) * (x.values[i * p + j] ?? 0);
    loss += softplus(z) - (y[i] === 1 ? z : 0);
  }
  let penalty = 0;
  for (let j = 0; j < p; j++) penalty += (beta[j] ?? 0) ** 2;
  return loss + 0.5 * l2 * penalty;
};

/** Fits on the matrix's rows with 0/1 labels `y`. */
export const fitLogisticRegression = (
  x: FeatureMatrix,
  y: ArrayLike<number>,
  options: LogisticRegressionOptions = {},
): LogisticRegressionModel => {
  if (y.length !== x.rowCount)
    throw new LogisticRegressionInputError(`${x.rowCount} rows but ${y.length} labels`);
  const l2 = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-8;
  const p = x.featureCount;
  const m = p + 1; // weights then intercept
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i] === 1 ? 1 : 0;
  const initial = options.initial;
  if (initial && initial.weights.length !== p)
    throw new LogisticRegressionInputError(
      `warm start has ${initial.weights.length} weights for ${p} features`,
    );
  let beta = new Float64Array(m);
  if (initial) beta.set(initial.weights);
  beta[p] = initial ? initial.intercept : logit((positives + 0.5) / (x.rowCount + 1));
  let current = objective(x, y, beta, l2);
  // Rows go through the Hessian four at a time (one pass over its lower triangle per block, not per row).
  const block = new Float64Array(4 * m);
  const weight = new Float64Array(4);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const gradient = new Float64Array(m);
    const hessian = new Float64Array(m * m);
    for (let start = 0; start < x.rowCount; start += 4) {
      weight.fill(0);
      block.fill(0);
      for (let b = 0; b < 4 && start + b < x.rowCount; b++) {
        const i = start + b;
        const row = block.subarray(b * m, (b + 1) * m);
        row.set(x.values.subarray(i * p, (i + 1) * p));
        row[p] = 1;
        let z = 0;
        for (let j = 0; j < m; j++) z += (beta[j] ?? 0) * (row[j] ?? 0);
        const mu = sigmoid(z);
        const r = mu - (y[i] === 1 ? 1 : 0);
        weight[b] = Math.max(mu * (1 - mu), 1e-12);
        for (let j = 0; j < m; j++) gradient[j] = (gradient[j] ?? 0) + r * (row[j] ?? 0);
      }
      const w0 = weight[0] ?? 0;
      const w1 = weight[1] ?? 0;
      const w2 = weight[2] ?? 0;
      const w3 = weight[3] ?? 0;
      for (let j = 0; j < m; j++) {
        const a0 = w0 * (block[j] ?? 0);
        const a1 = w1 * (block[m + j] ?? 0);
        const a2 = w2 * (block[2 * m + j] ?? 0);
        const a3 = w3 * (block[3 * m + j] ?? 0);
        // Lower triangle only; mirrored below.
        const at = j * m;
        for (let k = 0; k <= j; k++)
          hessian[at + k] =
            (hessian[at + k] ?? 0) +
            a0 * (block[k] ?? 0) +
            a1 * (block[m + k] ?? 0) +
            a2 * (block[2 * m + k] ?? 0) +
            a3 * (block[3 * m + k] ?? 0);
      }
    }
    for (let j = 0; j < m; j++) for (let k = 0; k < j; k++) hessian[k * m + j] = hessian[j * m + k] ?? 0;
    for (let j = 0; j < p; j++) {
      gradient[j] = (gradient[j] ?? 0) + l2 * (beta[j] ?? 0);
      hessian[j * m + j] = (hessian[j * m + j] ?? 0) + l2;
    }
    hessian[p * m + p] = (hessian[p * m + p] ?? 0) + 1e-9;
    const step = solveSymmetricPositiveDefinite(hessian, gradient, m);
    if (!step) break;
    let t = 1;
    let next = beta;
    let value = current;
    for (let halving = 0; halving < 30; halving++, t /= 2) {
      next = beta.map((b, j) => b - t * (step[j] ?? 0));
      value = objective(x, y, next, l2);
      if (value <= current + 1e-12 * Math.abs(current)) break;
    }
    let moved = 0;
    for (let j = 0; j < m; j++) moved = Math.max(moved, Math.abs((next[j] ?? 0) - (beta[j] ?? 0)));
    beta = next;
    current = value;
    if (moved < tolerance) break;
  }
  return { intercept: beta[p] ?? 0, weights: beta.slice(0, p) };
};
