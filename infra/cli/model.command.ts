import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { seededRandom } from '../../shared/domain/identity/seeded-random.ts';
import {
  crossValidateChurnEnsemble,
  type EvaluationReport,
} from '../../shared/domain/scoring/churn-evaluation.ts';
import {
  binaryLabels,
  columnIndex,
  detectColumns,
  type RawTable,
  type SkippedColumn,
} from '../../shared/domain/scoring/tabular-features.ts';
import type { Command } from './c360.cli.ts';

export class ModelOptionsError extends Error {
  override readonly name = 'ModelOptionsError';
}

const USAGE = `Usage: npx c360 model train --csv <file> --label <column> --id <column> [--json] [--folds 5] [--seed 1] [--out <file>]

Trains a binary model (L2 logistic regression + gradient-boosted trees, each Platt-calibrated, averaged in
log-odds) on any labelled table and reports stratified k-fold cross-validation: ROC-AUC, accuracy at 0.5,
Brier score, a calibration table by deciles, and the columns that move predictions most. Label values:
yes/no, true/false or 1/0 (case-insensitive). Numeric and categorical columns are detected; the id and
label columns are not features.

Options:
  --csv <file>       the table, with a header row
  --label <column>   the binary outcome
  --id <column>      the row identifier (excluded from the features)
  --folds <k>        cross-validation folds (default 5)
  --seed <n>         seed of the fold split and the trees' subsampling (default 1)
  --json             print the report as JSON (auc, accuracy, brier, calibration, folds, rows, …)
  --out <file>       write out-of-fold id,probability,score,reason1,reason2,reason3 lines`;

/** Reads a CSV with a header into a table of trimmed strings. */
export const readCsvTable = async (file: string): Promise<RawTable> => {
  const records = parse(await readFile(file, 'utf8'), {
    bom: true,
    trim: true,
    skip_empty_lines: true,
  }) as string[][];
  const [header, ...rows] = records;
  if (!header) throw new ModelOptionsError(`${file}: empty file`);
  return { header, rows };
};

const integerOption = (name: string, value: string | undefined, fallback: number, min: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new ModelOptionsError(`--${name}: expected an integer ≥ ${min}, got '${value}'`);
  return n;
};

export type ModelTrainJson = Omit<EvaluationReport, 'predictions' | 'folds' | 'perFold'> & {
  readonly file: string;
  readonly label: string;
  readonly id: string;
  readonly seed: number;
  readonly folds: number;
  readonly perFold: EvaluationReport['perFold'];
  readonly skippedColumns: readonly SkippedColumn[];
};

const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

const humanReport = (json: ModelTrainJson): string[] => {
  const f = (x: number) => x.toFixed(4);
  const numeric = json.columns.filter((c) => c.kind === 'numeric').length;
  const lines = [
    `${json.file}: ${json.rows} rows, ${json.positives} positive (${(100 * json.baseRate).toFixed(1)}%) for '${json.label}'; ${json.columns.length} feature columns (${numeric} numeric, ${json.columns.length - numeric} categorical); ${json.folds}-fold stratified cross-validation, seed ${json.seed}`,
  ];
  if (json.skippedColumns.length > 0)
    lines.push(`  skipped: ${json.skippedColumns.map((s) => `${s.name} (${s.reason})`).join(', ')}`);
  lines.push(
    '',
    `  ROC-AUC    ${f(json.auc)} ± ${f(json.aucStd)} over folds (pooled ${f(json.pooledAuc)});  logistic regression ${f(json.logisticAuc)}, boosted trees ${f(json.boostingAuc)}`,
    `  accuracy   ${f(json.accuracy)} at 0.5 (majority class ${f(json.majorityAccuracy)})`,
    `  Brier      ${f(json.brier)}   log-loss ${f(json.logLoss)}   expected calibration error ${f(json.expectedCalibrationError)}`,
    '',
    '  calibration (deciles of predicted probability)',
    '    bin   rows   predicted   observed',
    ...json.calibration.map(
      (b) =>
        `    ${String(b.bin).padStart(3)}  ${String(b.count).padStart(5)}   ${b.meanPredicted.toFixed(3).padStart(9)}   ${b.observedRate.toFixed(3).padStart(8)}`,
    ),
    '',
    '  top features (mean |contribution| to the log-odds)',
    ...json.importance.slice(0, 10).map((i) => `    ${i.meanAbsContribution.toFixed(3)}  ${i.column}`),
  );
  return lines;
};

const train = async (args: readonly string[]): Promise<number> => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      csv: { type: 'string' },
      label: { type: 'string' },
      id: { type: 'string' },
      folds: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  if (!values.csv || !values.label || !values.id) {
    console.error(USAGE);
    return 2;
  }
  if (values.label === values.id) throw new ModelOptionsError('--label and --id name the same column');
  const folds = integerOption('folds', values.folds, 5, 2);
  const seed = integerOption('seed', values.seed, 1, 0);
  const table = await readCsvTable(values.csv);
  const idIndex = columnIndex(table, values.id);
  const labels = binaryLabels(table, values.label);
  const { columns, skipped } = detectColumns(table, [values.id, values.label]);
  if (columns.length === 0)
    throw new ModelOptionsError(`${values.csv}: no feature columns besides the id and label`);
  const { predictions, ...report } = crossValidateChurnEnsemble(table, columns, labels, seededRandom(seed), {
    folds,
  });
  const json: ModelTrainJson = {
    file: basename(values.csv),
    label: values.label,
    id: values.id,
    seed,
    ...report,
    skippedColumns: skipped,
  };
  if (values.out) {
    const lines = ['id,probability,score,reason1,reason2,reason3'];
    for (const p of predictions) {
      const reasons = [0, 1, 2].map((k) => csvField(p.reasons[k]?.text ?? ''));
      lines.push(
        [
          csvField(table.rows[p.row]?.[idIndex] ?? ''),
          p.probability.toFixed(6),
          String(p.score),
          ...reasons,
        ].join(','),
      );
    }
    await writeFile(values.out, `${lines.join('\n')}\n`);
  }
  console.log(values.json ? JSON.stringify(json, null, 2) : humanReport(json).join('\n'));
  return 0;
};

export const modelCommand: Command = {
  summary: 'Train a binary model (LR + boosted trees) on a labelled CSV and report k-fold ROC-AUC, Brier',
  usage: USAGE,
  run: async (args) => {
    const [sub, ...rest] = args;
    if (sub !== 'train') {
      console.error(USAGE);
      return 2;
    }
    return train(rest);
  },
};
