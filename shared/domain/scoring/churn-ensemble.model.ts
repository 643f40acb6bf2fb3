import type { RandomSource } from '../identity/seeded-random.ts';
import { calibratedLogOdds, fitPlattCalibration, type PlattCalibration } from './calibration.ts';
import { complementOf, stratifiedKFold } from './cross-validation.ts';
import {
  boostedBaseLogOdds,
  boostedContributions,
  boostedLogOdds,
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
} from './logistic-regression.model.ts';
import {
  type ColumnSpec,
  displayValue,
  encodeRow,
  encodeRows,
  type FeatureEncoder,
  type FeatureEncoderOptions,
  fitFeatureEncoder,
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
 * spline terms).
 */

export type ChurnEnsembleOptions = {
  /** Inner folds for the out-of-fold scores Platt scaling is fitted on (default 3). */
  readonly calibrationFolds?: number;
  /** Weight w of the logistic regression in log-odds space (default 0.5). */
  readonly logisticWeight?: number;
  readonly logistic?: LogisticRegressionOptions;
  readonly boosting?: GradientBoostedTreesOptions;
  readonly encoding?: FeatureEncoderOptions;
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
  const w = options.logisticWeight ?? 0.5;
  const encoder = fitFeatureEncoder(table, columns, trainRows, options.encoding);
  const x = encodeRows(encoder, table, trainRows);
  const p = x.featureCount;

  // Out-of-fold raw scores for calibration. The encoder is shared: its fit uses no labels.
  const lrScores = new Float64Array(y.length);
  const gbtScores = new Float64Array(y.length);
  for (const held of stratifiedKFold(y, k, random)) {
    const rest = complementOf(held, y.length);
    const xr = selectRows(x, rest);
    const yr = Uint8Array.from(rest, (i) => y[i] ?? 0);
    const lr = fitLogisticRegression(xr, yr, options.logistic);
    const gbt = fitGradientBoostedTrees(xr, yr, random, options.boosting);
    for (const i of held) {
      lrScores[i] = logisticLogOdds(lr, x.values, i * p);
      gbtScores[i] = boostedLogOdds(gbt, x.values, i * p);
    }
  }
  const logisticCalibration = fitPlattCalibration(lrScores, y);
  const boostingCalibration = fitPlattCalibration(gbtScores, y);
  const logistic = fitLogisticRegression(x, y, options.logistic);
  const boosting = fitGradientBoostedTrees(x, y, random, options.boosting);
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
