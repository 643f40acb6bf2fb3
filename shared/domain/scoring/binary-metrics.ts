/*
 * Metrics for a binary classifier's probabilities: ROC-AUC (Mann–Whitney, tied scores share their average
 * rank, so a tie between a positive and a negative counts one half), accuracy at 0.5, Brier score, log-loss
 * and a calibration table by deciles of the predicted probability (equal-count bins).
 */

export class MetricInputError extends Error {
  override readonly name = 'MetricInputError';
}

const checkLengths = (labels: ArrayLike<number>, predictions: ArrayLike<number>): void => {
  if (labels.length !== predictions.length)
    throw new MetricInputError(`${labels.length} labels but ${predictions.length} predictions`);
};

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative, ties
 * counting one half. NaN when either class is absent.
 */
export const rocAuc = (labels: ArrayLike<number>, scores: ArrayLike<number>): number => {
  checkLengths(labels, scores);
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    const s = scores[order[start] ?? 0] ?? 0;
    while (end < n && (scores[order[end] ?? 0] ?? 0) === s) end++;
    // Ranks start+1 … end (1-based) share their average.
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++)
      if (labels[order[k] ?? 0] === 1) {
        positives++;
        positiveRankSum += rank;
      }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
};

/** Share of rows whose prediction (positive when probability ≥ threshold) equals the label. */
export const accuracy = (
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  threshold = 0.5,
): number => {
  checkLengths(labels, probabilities);
  let right = 0;
  for (let i = 0; i < labels.length; i++)
    if (((probabilities[i] ?? 0) >= threshold ? 1 : 0) === labels[i]) right++;
  return labels.length === 0 ? Number.NaN : right / labels.length;
};

/** Mean squared difference between probability and label (0 is perfect; always predicting 0.5 gives 0.25). */
export const brierScore = (labels: ArrayLike<number>, probabilities: ArrayLike<number>): number => {
  checkLengths(labels, probabilities);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += ((probabilities[i] ?? 0) - (labels[i] ?? 0)) ** 2;
  return labels.length === 0 ? Number.NaN : sum / labels.length;
};

/** Mean negative log-likelihood, probabilities clipped to [1e-15, 1 − 1e-15]. */
export const logLoss = (labels: ArrayLike<number>, probabilities: ArrayLike<number>): number => {
  checkLengths(labels, probabilities);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probabilities[i] ?? 0));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return labels.length === 0 ? Number.NaN : sum / labels.length;
};

export type CalibrationBin = {
  readonly bin: number;
  readonly count: number;
  readonly minPredicted: number;
  readonly maxPredicted: number;
  readonly meanPredicted: number;
  /** Share of positives among the bin's rows. */
  readonly observedRate: number;
};

/**
 * Rows sorted by probability and cut into `bins` equal-count groups (deciles by default); each group's
 * mean prediction against its observed positive rate. A calibrated model has the two close in every bin.
 */
export const calibrationTable = (
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  bins = 10,
): CalibrationBin[] => {
  checkLengths(labels, probabilities);
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (probabilities[a] ?? 0) - (probabilities[b] ?? 0),
  );
  const table: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const from = Math.floor((b * n) / bins);
    const to = Math.floor(((b + 1) * n) / bins);
    if (to <= from) continue;
    let predicted = 0;
    let positives = 0;
    for (let k = from; k < to; k++) {
      const i = order[k] ?? 0;
      predicted += probabilities[i] ?? 0;
      positives += labels[i] === 1 ? 1 : 0;
    }
    table.push({
      bin: table.length + 1,
      count: to - from,
      minPredicted: probabilities[order[from] ?? 0] ?? 0,
      maxPredicted: probabilities[order[to - 1] ?? 0] ?? 0,
      meanPredicted: predicted / (to - from),
      observedRate: positives / (to - from),
    });
  }
  return table;
};

/** Count-weighted mean |mean prediction − observed rate| over a calibration table's bins. */
export const expectedCalibrationError = (table: readonly CalibrationBin[]): number => {
  let total = 0;
  let weighted = 0;
  for (const b of table) {
    total += b.count;
    weighted += b.count * Math.abs(b.meanPredicted - b.observedRate);
  }
  return total === 0 ? Number.NaN : weighted / total;
};
