import type { RandomSource } from '../identity/seeded-random.ts';
import {
  calibratedLogOdds,
  fitBlendWeight,
  fitPlattCalibration,
  type PlattCalibration,
} from './calibration.ts';
import { complementOf, stratifiedKFold } from './cross-validation.ts';
import {
  boostedBaseLogOdds,
  boostedContributions,
  boostedLogOdds,
  boostedLossCurve,
  firstTrees,
  fitGradientBoostedTrees,
  type GradientBoostedTreesModel,
  type GradientBoostedTreesOptions,
} from './gradient-boosted-trees.model.ts';
import {
  fitLogisticRegression,
  type LogisticRegressionModel,
  type LogisticRegressionOptions,
  logisticContributions,
  logisticLogOdds,
  sigmoid,
  softplus,
} from './logistic-regression.model.ts';
import {
  type ColumnSpec,
  displayValue,
  encodeRow,
  encodeRows,
  type FeatureEncoder,
  type FeatureEncoderOptions,
  fitFeatureEncoder,
  isValueTransform,
  type RawTable,
  selectRows,
} from './tabular-features.ts';

/*
 * The churn model: an L2 logistic regression and gradient-boosted trees, each Platt-calibrated on its own
 * out-of-fold scores (an inner stratified k-fold on the training rows), then averaged in log-odds space:
 *
 *   z = w·(a₁·z_LR + b₁) + (1 − w)·(a₂·z_GBT + b₂),   probability = σ(z),   score = round(100·probability).
 *
 * Averaging calibrated log-odds (rather than probabilities) keeps the model additive, so its reasons are
 * exact: z_LR = intercept + Σ w_j·x_j (features centred on the training means) and z_GBT = base + Σ Saabas
 * path contributions, hence z = base + Σ_j c_j with c_j = w·a₁·(LR part)_j + (1 − w)·a₂·(GBT part)_j.
 * A column's contribution is the sum over its features (all one-hot levels, the missing indicator, the
 * spline and log terms).
 *
 * The same inner folds choose what the options leave open (nested inside any outer cross-validation: only
 * the training rows are used): the LR's L2 penalty, the trees' depth and their number (early stopping) by
 * the held-out log-loss summed over the inner folds, and w by stacking (`fitBlendWeight`: equal weights
 * unless the blended calibrated out-of-fold log-odds say clearly otherwise). The final models are refitted
 * on all training rows with those choices. The trees do not split on log or hinge terms: those are monotone
 * in a value the trees split on already, so a split on them is one on the value (only time is saved).
 */

export type ChurnEnsembleOptions = {
  /** Inner folds for the out-of-fold scores Platt scaling is fitted on, and tuning (default 3). */
  readonly calibrationFolds?: number;
  /** Weight w of the logistic regression in log-odds space (default: stacked on the inner folds, else 0.5). */
  readonly logisticWeight?: number;
  /** `l2` pins the penalty (otherwise chosen among `logisticL2Candidates`). */
  readonly logistic?: LogisticRegressionOptions;
  /**
   * `maxDepth` pins the depth (otherwise chosen among `boostingDepthCandidates`); `trees` is the most
   * rounds, of which the inner folds keep the best number.
   */
  readonly boosting?: GradientBoostedTreesOptions;
  readonly encoding?: FeatureEncoderOptions;
  /** Choose the hyperparameters the options leave open on the inner folds (default true). */
  readonly tune?: boolean;
  /** Default 0.1, 1, 10, 100. */
  readonly logisticL2Candidates?: readonly number[];
  /** Default 1 (additive stumps) and 2 (pairwise interactions). */
  readonly boostingDepthCandidates?: readonly number[];
};

/** What the fit used: chosen on the inner folds, pinned by the options, or the defaults when untuned. */
export type ChurnHyperparameters = {
  readonly logisticL2: number;
  readonly boostingDepth: number;
  readonly boostingTrees: number;
};

export type ChurnEnsembleModel = {
  readonly encoder: FeatureEncoder;
  readonly logistic: LogisticRegressionModel;
  readonly boosting: GradientBoostedTreesModel;
  readonly logisticCalibration: PlattCalibration;
  readonly boostingCalibration: PlattCalibration;
  readonly logisticWeight: number;
  /** The log-odds every row's contributions start from. */
  readonly baseLogOdds: number;
  /** Absent in models fitted before tuning existed. */
  readonly hyperparameters?: ChurnHyperparameters;
};

export type ChurnReason = {
  readonly column: string;
  /** The row's value of the column (trimmed raw text, or `(missing)`). */
  readonly value: string;
  /** In log-odds. */
  readonly contribution: number;
  readonly direction: 'up' | 'down';
  /** e.g. `Contract=Month-to-month ↑ risk`. */
  readonly text: string;
};

export type ChurnScore = {
  readonly probability: number;
  /** round(100 · probability), 0–100. */
  readonly score: number;
  readonly logOdds: number;
  readonly baseLogOdds: number;
  readonly baseProbability: number;
  /** The calibrated component models. */
  readonly logisticProbability: number;
  readonly boostingProbability: number;
  /** One per column, largest |contribution| first; baseLogOdds + Σ contribution = logOdds. */
  readonly contributions: readonly ChurnReason[];
  /**
   * The strongest contributions pushing the score the way it went from the base: risk-raising ones when
   * logOdds ≥ baseLogOdds, risk-lowering ones otherwise.
   */
  readonly reasons: readonly ChurnReason[];
};

export class ChurnTrainingError extends Error {
  override readonly name = 'ChurnTrainingError';
}

const DEFAULT_L2_CANDIDATES = [0.1, 1, 10, 100];
const DEFAULT_DEPTH_CANDIDATES = [1, 2];
/** Inner fits stop after this many rounds without a better held-out log-loss. */
const EARLY_STOPPING_PATIENCE = 50;

/** Σ log-loss of log-odds `z` for 0/1 labels `y`. */
const logLossSum = (z: ArrayLike<number>, y: ArrayLike<number>): number => {
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += softplus(y[i] === 1 ? -(z[i] ?? 0) : (z[i] ?? 0));
  return sum;
};

/** Position of the smallest value from `from` on (the first one on ties). */
const argMin = (values: ArrayLike<number>, from = 0): number => {
  let best = from;
  for (let i = from + 1; i < values.length; i++) if ((values[i] ?? 0) < (values[best] ?? 0)) best = i;
  return best;
};

/** Fits the ensemble on the table's `trainRows`; `labels` holds one 0/1 label per table row. */
export const fitChurnEnsemble = (
  table: RawTable,
  columns: readonly ColumnSpec[],
  labels: ArrayLike<number>,
  trainRows: readonly number[],
  random: RandomSource,
  options: ChurnEnsembleOptions = {},
): ChurnEnsembleModel => {
  const y = Uint8Array.from(trainRows, (r) => (labels[r] === 1 ? 1 : 0));
  const positives = y.reduce((a, b) => a + b, 0);
  const k = options.calibrationFolds ?? 3;
  if (positives < k || y.length - positives < k)
    throw new ChurnTrainingError(
      `need at least ${k} rows of each class to train, got ${positives} positive and ${y.length - positives} negative`,
    );
  const tune = options.tune ?? true;
  const pinnedL2 = options.logistic?.l2;
  const pinnedDepth = options.boosting?.maxDepth;
  // Descending, so each fit warm-starts from the more strongly penalised one before it.
  const l2s = (
    pinnedL2 !== undefined || !tune
      ? [pinnedL2 ?? 1]
      : (options.logisticL2Candidates ?? DEFAULT_L2_CANDIDATES)
  ).toSorted((a, b) => b - a);
  const depths =
    pinnedDepth !== undefined || !tune
      ? [pinnedDepth ?? 1]
      : (options.boostingDepthCandidates ?? DEFAULT_DEPTH_CANDIDATES);
  const encoder = fitFeatureEncoder(table, columns, trainRows, options.encoding);
  const x = encodeRows(encoder, table, trainRows);
  const p = x.featureCount;
  const boostingOptions = {
    splitFeatures: encoder.features.flatMap((f, j) => (isValueTransform(f) ? [] : [j])),
    ...options.boosting,
  };

  // Out-of-fold raw scores of every candidate. The encoder is shared: its fit uses no labels.
  const lrByL2 = l2s.map(() => new Float64Array(y.length));
  const curves: Float64Array[] = [];
  const inner: { held: number[]; boosting: GradientBoostedTreesModel[] }[] = [];
  for (const held of stratifiedKFold(y, k, random)) {
    const rest = complementOf(held, y.length);
    const xr = selectRows(x, rest);
    const yr = Uint8Array.from(rest, (i) => y[i] ?? 0);
    const xh = selectRows(x, held);
    let lr: LogisticRegressionModel | undefined;
    l2s.forEach((l2, c) => {
      lr = fitLogisticRegression(xr, yr, { ...options.logistic, l2, initial: lr });
      const model = lr;
      held.forEach((r, i) => {
        (lrByL2[c] as Float64Array)[r] = logisticLogOdds(model, xh.values, i * p);
      });
    });
    const yh = Uint8Array.from(held, (i) => y[i] ?? 0);
    const earlyStopping = tune ? { x: xh, y: yh, patience: EARLY_STOPPING_PATIENCE } : undefined;
    const boosting = depths.map((maxDepth, d) => {
      const gbt = fitGradientBoostedTrees(xr, yr, random, { ...boostingOptions, maxDepth, earlyStopping });
      const curve = boostedLossCurve(gbt, xh, yh);
      // Summed over the rounds every inner fold reached.
      const sum = curves[d];
      curves[d] = sum ? sum.subarray(0, curve.length).map((v, t) => v + (curve[t] ?? 0)) : curve;
      return gbt;
    });
    inner.push({ held, boosting });
  }
  const c = argMin(lrByL2.map((z) => logLossSum(z, y)));
  const lrScores = lrByL2[c] as Float64Array;
  // Per depth, its best number of trees (at least one), then the depth whose best is lowest.
  const bestTrees = curves.map((curve) =>
    tune ? argMin(curve, Math.min(1, curve.length - 1)) : curve.length - 1,
  );
  const d = argMin(curves.map((curve, i) => curve[bestTrees[i] ?? 0] ?? 0));
  const trees = bestTrees[d] ?? 0;
  const gbtScores = new Float64Array(y.length);
  for (const fold of inner) {
    const model = firstTrees(fold.boosting[d] as GradientBoostedTreesModel, trees);
    for (const i of fold.held) gbtScores[i] = boostedLogOdds(model, x.values, i * p);
  }
  const logisticCalibration = fitPlattCalibration(lrScores, y);
  const boostingCalibration = fitPlattCalibration(gbtScores, y);
  const w =
    options.logisticWeight ??
    (tune
      ? fitBlendWeight(
          lrScores.map((z) => calibratedLogOdds(logisticCalibration, z)),
          gbtScores.map((z) => calibratedLogOdds(boostingCalibration, z)),
          y,
        )
      : 0.5);
  const hyperparameters = { logisticL2: l2s[c] ?? 1, boostingDepth: depths[d] ?? 1, boostingTrees: trees };
  const logistic = fitLogisticRegression(x, y, { ...options.logistic, l2: hyperparameters.logisticL2 });
  const boosting = fitGradientBoostedTrees(x, y, random, {
    ...boostingOptions,
    maxDepth: hyperparameters.boostingDepth,
    trees,
  });
  const baseLogOdds =
    w * calibratedLogOdds(logisticCalibration, logistic.intercept) +
    (1 - w) * calibratedLogOdds(boostingCalibration, boostedBaseLogOdds(boosting));
  return {
    encoder,
    logistic,
    boosting,
    logisticCalibration,
    boostingCalibration,
    logisticWeight: w,
    baseLogOdds,
    hyperparameters,
  };
};

/** Scores one table row (the full row, in the table's column order) and explains the score. */
export const scoreChurn = (model: ChurnEnsembleModel, row: readonly string[], topReasons = 3): ChurnScore => {
  const { encoder, logistic, boosting, logisticCalibration: lc, boostingCalibration: bc } = model;
  const w = model.logisticWeight;
  const x = new Float64Array(encoder.features.length);
  encodeRow(encoder, row, x);
  const zl = calibratedLogOdds(lc, logisticLogOdds(logistic, x));
  const zg = calibratedLogOdds(bc, boostedLogOdds(boosting, x));
  const logOdds = w * zl + (1 - w) * zg;
  const lrParts = logisticContributions(logistic, x);
  const gbtParts = boostedContributions(boosting, x);
  const byColumn = new Float64Array(encoder.columns.length);
  encoder.features.forEach((f, j) => {
    byColumn[f.column] =
      (byColumn[f.column] ?? 0) + w * lc.slope * (lrParts[j] ?? 0) + (1 - w) * bc.slope * (gbtParts[j] ?? 0);
  });
  const contributions: ChurnReason[] = encoder.columns
    .map((e, c) => {
      const contribution = byColumn[c] ?? 0;
      const value = displayValue(e, row);
      const direction = contribution >= 0 ? ('up' as const) : ('down' as const);
      return {
        column: e.column.name,
        value,
        contribution,
        direction,
        text: `${e.column.name}=${value} ${direction === 'up' ? '↑' : '↓'} risk`,
      };
    })
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  const up = logOdds >= model.baseLogOdds;
  const reasons = contributions
    .filter((r) => (up ? r.contribution > 0 : r.contribution < 0))
    .slice(0, topReasons);
  const probability = sigmoid(logOdds);
  return {
    probability,
    score: Math.round(100 * probability),
    logOdds,
    baseLogOdds: model.baseLogOdds,
    baseProbability: sigmoid(model.baseLogOdds),
    logisticProbability: sigmoid(zl),
    boostingProbability: sigmoid(zg),
    contributions,
    reasons,
  };
};
