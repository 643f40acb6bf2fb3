/*
 * Turns a labelled table of strings (a CSV) into a numeric feature matrix.
 *
 * Columns are detected once on the whole table: numeric when every non-missing value parses as a finite
 * number, categorical otherwise; empty and constant columns are skipped. The encoding is fitted on training
 * rows only (no leakage from the rows it is evaluated on):
 * - numeric: standardised with the training mean and standard deviation; a missing value becomes the mean
 *   (0 after standardising) and, when the training rows had missing values, a missing-indicator feature;
 *   a column with many distinct values also gets hinge (linear-spline) features and, when it is never
 *   negative, a log(1 + x) feature, so a linear model can bend (see `FeatureEncoderOptions`);
 * - categorical: one indicator per level seen at least `minLevelCount` times (at most `maxLevels`, most
 *   frequent first), one "other" bucket for rare and unseen levels; a missing value is its own level.
 * Every feature is centred on its training mean, so a linear model's intercept is the log-odds of the
 * "average" training row and coefficient × value is a row's deviation from it.
 */

export type RawTable = {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
};

export type ColumnKind = 'numeric' | 'categorical';

export type ColumnSpec = {
  readonly name: string;
  /** Position in the table's header. */
  readonly index: number;
  readonly kind: ColumnKind;
};

export type SkippedColumn = { readonly name: string; readonly reason: string };

export class BinaryLabelError extends Error {
  override readonly name = 'BinaryLabelError';
}

export class ColumnNotFoundError extends Error {
  override readonly name = 'ColumnNotFoundError';
}

const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null']);

/** Blank, NA, N/A, NaN or null (case-insensitive, surrounding spaces ignored). */
export const isMissing = (value: string | undefined): boolean =>
  value === undefined || MISSING_TOKENS.has(value.trim().toLowerCase());

/** A finite number, or undefined when the value is missing or not a number. */
export const parseNumeric = (value: string | undefined): number | undefined => {
  if (isMissing(value)) return undefined;
  const n = Number((value ?? '').trim());
  return Number.isFinite(n) ? n : undefined;
};

const POSITIVE = new Set(['yes', 'true', '1', 'y', 't']);
const NEGATIVE = new Set(['no', 'false', '0', 'n', 'f']);

/** yes/no, true/false, 1/0 (also y/n, t/f), case-insensitive → 1/0; anything else is a BinaryLabelError. */
export const parseBinaryLabel = (value: string | undefined, column: string, rowNumber: number): 0 | 1 => {
  const v = (value ?? '').trim().toLowerCase();
  if (POSITIVE.has(v)) return 1;
  if (NEGATIVE.has(v)) return 0;
  throw new BinaryLabelError(
    `label column '${column}', row ${rowNumber}: value '${value ?? ''}' is not a binary label (expected yes/no, true/false or 1/0)`,
  );
};

export const columnIndex = (table: RawTable, name: string): number => {
  const i = table.header.indexOf(name);
  if (i < 0)
    throw new ColumnNotFoundError(`no column '${name}' (columns: ${table.header.join(', ') || 'none'})`);
  return i;
};

/** Parses the label column (rows numbered from 1, the first data row). */
export const binaryLabels = (table: RawTable, column: string): Uint8Array => {
  const index = columnIndex(table, column);
  const labels = new Uint8Array(table.rows.length);
  table.rows.forEach((row, i) => {
    labels[i] = parseBinaryLabel(row[index], column, i + 1);
  });
  return labels;
};

/** Numeric vs categorical for every column not in `exclude`; empty and constant columns are skipped. */
export const detectColumns = (
  table: RawTable,
  exclude: readonly string[],
): { columns: ColumnSpec[]; skipped: SkippedColumn[] } => {
  const columns: ColumnSpec[] = [];
  const skipped: SkippedColumn[] = [];
  table.header.forEach((name, index) => {
    if (exclude.includes(name)) return;
    let present = 0;
    let numeric = 0;
    const distinct = new Set<string>();
    for (const row of table.rows) {
      const v = row[index];
      if (isMissing(v)) continue;
      present++;
      if (parseNumeric(v) !== undefined) numeric++;
      if (distinct.size < 2) distinct.add((v ?? '').trim());
    }
    if (present === 0) skipped.push({ name, reason: 'no values' });
    else if (distinct.size < 2 && present === table.rows.length) skipped.push({ name, reason: 'constant' });
    else columns.push({ name, index, kind: numeric === present ? 'numeric' : 'categorical' });
  });
  return { columns, skipped };
};

export type NumericEncoding = {
  readonly kind: 'numeric';
  readonly column: ColumnSpec;
  readonly mean: number;
  readonly scale: number;
  /** Training share of missing values; a missing-indicator feature exists when it is above 0. */
  readonly missingRate: number;
  /** Hinge features max(0, x − knot), each standardised with its training mean and scale. */
  readonly hinges: readonly { readonly knot: number; readonly mean: number; readonly scale: number }[];
  /** The log(1 + x) feature's training mean and scale; absent when the column has none. */
  readonly log?: { readonly mean: number; readonly scale: number };
};

export type CategoricalEncoding = {
  readonly kind: 'categorical';
  readonly column: ColumnSpec;
  readonly levels: readonly string[];
  /** Training share of each level, then of the "other" bucket (last). */
  readonly shares: readonly number[];
};

export type ColumnEncoding = NumericEncoding | CategoricalEncoding;

export type EncodedFeature = {
  /** e.g. `tenure`, `tenure (missing)`, `Contract=Month-to-month`, `Contract=(other)`. */
  readonly name: string;
  /** Index into the encoder's `columns`. */
  readonly column: number;
  /**
   * What the feature is of its column: the (standardised) value, its missing indicator, a log or hinge
   * transform of the value (monotone in it, so a tree gains no split from them), or a categorical level.
   */
  readonly term?: FeatureTerm;
};

export type FeatureTerm = 'value' | 'missing' | 'log' | 'hinge' | 'level';

/** Whether a feature is a monotone transform of its column's value (a tree can split on the value instead). */
export const isValueTransform = (feature: EncodedFeature): boolean =>
  feature.term === 'log' || feature.term === 'hinge';

export type FeatureEncoder = {
  readonly columns: readonly ColumnEncoding[];
  readonly features: readonly EncodedFeature[];
};

/** Row-major `rowCount × featureCount` values. */
export type FeatureMatrix = {
  readonly rowCount: number;
  readonly featureCount: number;
  readonly values: Float64Array;
};

export type FeatureEncoderOptions = {
  /** A categorical level needs this many training rows to get its own feature (default 5). */
  readonly minLevelCount?: number;
  /** At most this many levels per categorical column (default 30); the rest go to "other". */
  readonly maxLevels?: number;
  /**
   * Hinge features max(0, x − knot) at this many training quantiles per numeric column with at least 10
   * distinct values (default 9: deciles): a linear spline, so a linear model can bend (e.g. churn falling fast
   * over the first months of tenure, then slowly). 0 turns them off.
   */
  readonly splineKnots?: number;
  /**
   * A log(1 + x) feature for every numeric column with at least 10 distinct values and no negative
   * training value (default true): amounts, durations and counts often act with diminishing returns (the
   * step from 1 to 2 months matters more than from 41 to 42), a concave shape the decile hinges cannot
   * follow below their first knot. Missing values are imputed with the mean first, as for the other terms.
   */
  readonly logTransform?: boolean;
};

export const MISSING_LEVEL = '(missing)';
export const OTHER_LEVEL = '(other)';

/** Mean and standard deviation (1 when the values are constant or absent). */
const moments = (values: readonly number[]): { mean: number; scale: number } => {
  if (values.length === 0) return { mean: 0, scale: 1 };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / values.length);
  return { mean, scale: sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 1 };
};

/** log(1 + x), with x clipped at 0: a negative value met when scoring counts as 0. */
const logTerm = (x: number): number => Math.log1p(Math.max(0, x));

const levelOf = (value: string | undefined): string =>
  isMissing(value) ? MISSING_LEVEL : (value ?? '').trim();

/** Fits the encoding of `columns` on the table's `trainRows`. */
export const fitFeatureEncoder = (
  table: RawTable,
  columns: readonly ColumnSpec[],
  trainRows: readonly number[],
  options: FeatureEncoderOptions = {},
): FeatureEncoder => {
  const minLevelCount = options.minLevelCount ?? 5;
  const maxLevels = options.maxLevels ?? 30;
  const splineKnots = options.splineKnots ?? 9;
  const logTransform = options.logTransform ?? true;
  const n = Math.max(1, trainRows.length);
  const encodings: ColumnEncoding[] = [];
  const features: EncodedFeature[] = [];
  for (const column of columns) {
    const c = encodings.length;
    if (column.kind === 'numeric') {
      const present: number[] = [];
      for (const r of trainRows) {
        const x = parseNumeric(table.rows[r]?.[column.index]);
        if (x !== undefined) present.push(x);
      }
      const { mean, scale } = moments(present);
      const missingRate = (trainRows.length - present.length) / n;
      const hinges: { knot: number; mean: number; scale: number }[] = [];
      present.sort((a, b) => a - b);
      // Missing values are imputed with the mean before a transform, as for the linear term.
      const imputed = (f: (x: number) => number) =>
        trainRows.map((r) => f(parseNumeric(table.rows[r]?.[column.index]) ?? mean));
      const continuous = new Set(present).size >= 10;
      if (splineKnots > 0 && continuous) {
        const knots = new Set<number>();
        for (let q = 1; q <= splineKnots; q++)
          knots.add(present[Math.floor((q * present.length) / (splineKnots + 1))] ?? 0);
        for (const knot of knots) hinges.push({ knot, ...moments(imputed((x) => Math.max(0, x - knot))) });
      }
      const log =
        logTransform && continuous && (present[0] ?? 0) >= 0 ? moments(imputed(logTerm)) : undefined;
      encodings.push({ kind: 'numeric', column, mean, scale, missingRate, hinges, ...(log ? { log } : {}) });
      features.push({ name: column.name, column: c, term: 'value' });
      if (missingRate > 0) features.push({ name: `${column.name} (missing)`, column: c, term: 'missing' });
      if (log) features.push({ name: `${column.name} (log)`, column: c, term: 'log' });
      for (const hinge of hinges)
        features.push({ name: `${column.name} (above ${hinge.knot})`, column: c, term: 'hinge' });
    } else {
      const counts = new Map<string, number>();
      for (const r of trainRows) {
        const level = levelOf(table.rows[r]?.[column.index]);
        counts.set(level, (counts.get(level) ?? 0) + 1);
      }
      const levels = [...counts.entries()]
        .filter(([, k]) => k >= minLevelCount)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, maxLevels)
        .map(([level]) => level);
      const shares = levels.map((level) => (counts.get(level) ?? 0) / n);
      shares.push(Math.max(0, 1 - shares.reduce((a, b) => a + b, 0)));
      encodings.push({ kind: 'categorical', column, levels, shares });
      for (const level of levels)
        features.push({ name: `${column.name}=${level}`, column: c, term: 'level' });
      features.push({ name: `${column.name}=${OTHER_LEVEL}`, column: c, term: 'level' });
    }
  }
  return { columns: encodings, features };
};

/** Writes one row's features at `out[offset …]`. */
export const encodeRow = (
  encoder: FeatureEncoder,
  row: readonly string[],
  out: Float64Array,
  offset = 0,
): void => {
  let f = offset;
  for (const e of encoder.columns) {
    const raw = row[e.column.index];
    if (e.kind === 'numeric') {
      const x = parseNumeric(raw);
      out[f++] = x === undefined ? 0 : (x - e.mean) / e.scale;
      if (e.missingRate > 0) out[f++] = (x === undefined ? 1 : 0) - e.missingRate;
      if (e.log) out[f++] = (logTerm(x ?? e.mean) - e.log.mean) / e.log.scale;
      for (const hinge of e.hinges)
        out[f++] = (Math.max(0, (x ?? e.mean) - hinge.knot) - hinge.mean) / hinge.scale;
    } else {
      const level = levelOf(raw);
      let hit = e.levels.indexOf(level);
      if (hit < 0) hit = e.levels.length;
      for (let k = 0; k <= e.levels.length; k++) out[f++] = (k === hit ? 1 : 0) - (e.shares[k] ?? 0);
    }
  }
};

/** The feature matrix of the table's `rows` (in that order). */
export const encodeRows = (
  encoder: FeatureEncoder,
  table: RawTable,
  rows: readonly number[],
): FeatureMatrix => {
  const featureCount = encoder.features.length;
  const values = new Float64Array(rows.length * featureCount);
  rows.forEach((r, i) => {
    encodeRow(encoder, table.rows[r] ?? [], values, i * featureCount);
  });
  return { rowCount: rows.length, featureCount, values };
};

/** The matrix restricted to `rows` (positions in the matrix), in that order. */
export const selectRows = (matrix: FeatureMatrix, rows: readonly number[]): FeatureMatrix => {
  const p = matrix.featureCount;
  const values = new Float64Array(rows.length * p);
  rows.forEach((r, i) => {
    values.set(matrix.values.subarray(r * p, (r + 1) * p), i * p);
  });
  return { rowCount: rows.length, featureCount: p, values };
};

/** A row's value of a column as shown in a reason: the trimmed raw value, or `(missing)`. */
export const displayValue = (encoding: ColumnEncoding, row: readonly string[]): string =>
  levelOf(row[encoding.column.index]);
