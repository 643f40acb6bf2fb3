import type { RandomSource } from '../identity/seeded-random.ts';
import {
  accuracy,
  brierScore,
  type CalibrationBin,
  calibrationTable,
  expectedCalibrationError,
  logLoss,
  rocAuc,
} from './binary-metrics.ts';
import {
  type ChurnEnsembleOptions,
  type ChurnHyperparameters,
  type ChurnReason,
  fitChurnEnsemble,
  scoreChurn,
} from './churn-ensemble.model.ts';
import { complementOf, FoldCountError, stratifiedKFold } from './cross-validation.ts';
import type { ColumnSpec, RawTable } from './tabular-features.ts';

/*
 * Stratified k-fold cross-validation of the churn ensemble: every row is scored by the model fitted
 * without its fold. AUC is the mean over folds (with its standard deviation; also pooled over all
 * out-of-fold predictions); accuracy, Brier, log-loss, the calibration table and the column importances
 * come from the pooled out-of-fold predictions.
 */

export type EvaluationOptions = ChurnEnsembleOptions & {
  /** Default 5. */
  readonly folds?: number;
  /** Calibration-table bins (default 10: deciles). */
  readonly calibrationBins?: number;
  readonly topReasons?: number;
};

export type FoldReport = {
  readonly fold: number;
  readonly rows: number;
  readonly positives: number;
  readonly auc: number;
  readonly accuracy: number;
  readonly brier: number;
  readonly logisticAuc: number;
  readonly boostingAuc: number;
  /** What the fold's model chose on its own training rows (inner folds). */
  readonly hyperparameters?: ChurnHyperparameters;
  readonly logisticWeight?: number;
};

export type OutOfFoldPrediction = {
  /** Position in the table's rows. */
  readonly row: number;
  readonly fold: number;
  readonly probability: number;
  readonly score: number;
  readonly logisticProbability: number;
  readonly boostingProbability: number;
  readonly reasons: readonly ChurnReason[];
};

export type ColumnImportance = { readonly column: string; readonly meanAbsContribution: number };

export type EvaluationReport = {
  readonly rows: number;
  readonly positives: number;
  readonly baseRate: number;
  /** Accuracy of always predicting the majority class. */
  readonly majorityAccuracy: number;
  readonly folds: number;
  readonly columns: readonly { readonly name: string; readonly kind: string }[];
  readonly auc: number;
  readonly aucStd: number;
  readonly pooledAuc: number;
  readonly accuracy: number;
  readonly brier: number;
  readonly logLoss: number;
  readonly logisticAuc: number;
  readonly boostingAuc: number;
  readonly calibration: readonly CalibrationBin[];
  readonly expectedCalibrationError: number;
  readonly perFold: readonly FoldReport[];
  /** Mean |log-odds contribution| per column over the out-of-fold rows, largest first. */
  readonly importance: readonly ColumnImportance[];
  /** One per table row, in table order. */
  readonly predictions: readonly OutOfFoldPrediction[];
};

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: readonly number[]) => {
  const m = mean(xs);
  return xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

export const crossValidateChurnEnsemble = (
  table: RawTable,
  columns: readonly ColumnSpec[],
  labels: Uint8Array,
  random: RandomSource,
  options: EvaluationOptions = {},
): EvaluationReport => {
  const k = options.folds ?? 5;
  const n = table.rows.length;
  if (labels.length !== n) throw new FoldCountError(`${n} rows but ${labels.length} labels`);
  const positives = labels.reduce((a, b) => a + b, 0);
  if (Math.min(positives, n - positives) < k)
    throw new FoldCountError(
      `${k} folds need at least ${k} rows of each class; got ${positives} positive and ${n - positives} negative`,
    );
  const predictions: OutOfFoldPrediction[] = new Array(n);
  const importance = new Map<string, number>(columns.map((c) => [c.name, 0]));
  const perFold: FoldReport[] = [];
  stratifiedKFold(labels, k, random).forEach((held, fold) => {
    const model = fitChurnEnsemble(table, columns, labels, complementOf(held, n), random, options);
    const y: number[] = [];
    const p: number[] = [];
    const pl: number[] = [];
    const pg: number[] = [];
    for (const r of held) {
      const s = scoreChurn(model, table.rows[r] ?? [], options.topReasons ?? 3);
      predictions[r] = {
        row: r,
        fold: fold + 1,
        probability: s.probability,
        score: s.score,
        logisticProbability: s.logisticProbability,
        boostingProbability: s.boostingProbability,
        reasons: s.reasons,
      };
      for (const c of s.contributions)
        importance.set(c.column, (importance.get(c.column) ?? 0) + Math.abs(c.contribution) / n);
      y.push(labels[r] ?? 0);
      p.push(s.probability);
      pl.push(s.logisticProbability);
      pg.push(s.boostingProbability);
    }
    perFold.push({
      fold: fold + 1,
      rows: held.length,
      positives: y.reduce((a, b) => a + b, 0),
      auc: rocAuc(y, p),
      accuracy: accuracy(y, p),
      brier: brierScore(y, p),
      logisticAuc: rocAuc(y, pl),
      boostingAuc: rocAuc(y, pg),
      ...(model.hyperparameters ? { hyperparameters: model.hyperparameters } : {}),
      logisticWeight: model.logisticWeight,
    });
  });
  const all = predictions.map((q) => q.probability);
  const calibration = calibrationTable(labels, all, options.calibrationBins ?? 10);
  return {
    rows: n,
    positives,
    baseRate: positives / n,
    majorityAccuracy: Math.max(positives, n - positives) / n,
    folds: k,
    columns: columns.map((c) => ({ name: c.name, kind: c.kind })),
    auc: mean(perFold.map((f) => f.auc)),
    aucStd: std(perFold.map((f) => f.auc)),
    pooledAuc: rocAuc(labels, all),
    accuracy: accuracy(labels, all),
    brier: brierScore(labels, all),
    logLoss: logLoss(labels, all),
    logisticAuc: mean(perFold.map((f) => f.logisticAuc)),
    boostingAuc: mean(perFold.map((f) => f.boostingAuc)),
    calibration,
    expectedCalibrationError: expectedCalibrationError(calibration),
    perFold,
    importance: [...importance.entries()]
      .map(([column, meanAbsContribution]) => ({ column, meanAbsContribution }))
      .sort((a, b) => b.meanAbsContribution - a.meanAbsContribution),
    predictions,
  };
};
