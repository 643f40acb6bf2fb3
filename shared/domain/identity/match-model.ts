import { z } from 'zod';
import { parseContract } from '../../../events/zod-issue.formatter.ts';
import { type FellegiSunterModel, fellegiSunterModel } from './fellegi-sunter.model.ts';
import { compileComparison, extractFeatures, type FieldComparison } from './field-comparison.ts';

/*
 * The parameters of real-time probabilistic matching as data: which traits are compared, how (the comparison
 * levels of `field-comparison.ts`), and per level m = P(level | same person) and u = P(level | different
 * people), plus the prior λ. JSON in, JSON out, so a deployment can supply a model fitted on its own data
 * (`parseMatchModel`) instead of the default one fitted on Febrl.
 */

/** Traits compared in real time: what cleaning hands on as traits, plus phone and e-mail identities. */
export const MATCH_FIELDS = ['name', 'birthday', 'address', 'city', 'postcode', 'phone', 'email'] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];

/** A compared field: the comparison, its level labels (index 0 "null"), m and u per level. */
export type MatchModelField = {
  readonly comparison: FieldComparison & { readonly field: MatchField };
  readonly labels: readonly string[];
  readonly m: readonly number[];
  readonly u: readonly number[];
  /** Where m and u come from: fitted by EM, or set by hand where no training data had the field. */
  readonly estimatedBy: 'em' | 'assumed';
};

export type MatchModel = {
  readonly version: 1;
  /** Where the parameters come from, for explanations and audits. */
  readonly source: string;
  /**
   * λ: the probability that an incoming record and one existing customer drawn at random are the same
   * person — about 1 / (number of customers). It shifts every match weight by log2(λ / (1 − λ)).
   */
  readonly prior: number;
  readonly fields: readonly MatchModelField[];
};

/** Comparisons of the default model. Full names compare by Jaro-Winkler on their pinyin / letters-only form. */
export const MATCH_COMPARISONS: readonly (FieldComparison & { readonly field: MatchField })[] = [
  { field: 'name', kind: 'name' },
  { field: 'birthday', kind: 'date' },
  { field: 'address', kind: 'text' },
  { field: 'city', kind: 'text' },
  { field: 'postcode', kind: 'identifier', maxEdits: [1] },
  { field: 'phone', kind: 'identifier' },
  { field: 'email', kind: 'identifier' },
];

/** The level labels `compileComparison` gives a comparison (they depend on its options only). */
export const comparisonLabels = (comparison: FieldComparison): readonly string[] =>
  compileComparison(comparison, new Map([[comparison.field, extractFeatures(comparison.kind, [])]])).labels;

/**
 * The default model. name, birthday, address, city and postcode: u from 10^6 random pairs and m by EM over
 * blocked pairs, estimated by EM on Febrl (../shared/benchdata/febrl, febrl4 A ↔ B, 5,000 + 5,000 records;
 * name = given name + surname, address = street number + street) with `test/bench/train-match-model.bench.ts`.
 * phone and e-mail are not in Febrl: their m and u are assumed (`estimatedBy: 'assumed'`) — an exact
 * agreement is overwhelming evidence, one or two edits strong evidence.
 * The prior is Febrl's (about 1 / 5,000): set it to about 1 / customers with `withPrior` for a deployment.
 */
export const DEFAULT_MATCH_MODEL: MatchModel = {
  version: 1,
  source: 'EM on Febrl 4 (../shared/benchdata/febrl); phone and email assumed',
  prior: 0.000199,
  fields: [
    {
      comparison: { field: 'name', kind: 'name' },
      labels: ['null', 'exact', 'jaro-winkler ≥ 0.92', 'jaro-winkler ≥ 0.88 or phonetic', 'else'],
      m: [1, 0.4871, 0.2693, 0.02226, 0.2213],
      u: [1, 0.0001056, 0.0001396, 0.0005949, 0.9992],
      estimatedBy: 'em',
    },
    {
      comparison: { field: 'birthday', kind: 'date' },
      labels: ['null', 'exact', 'one typo, day/month swap or ±1 year', 'else'],
      m: [1, 0.9338, 0.02122, 0.04498],
      u: [1, 0.0002202, 0.001028, 0.9988],
      estimatedBy: 'em',
    },
    {
      comparison: { field: 'address', kind: 'text' },
      labels: ['null', 'exact', 'jaro-winkler ≥ 0.92', 'jaro-winkler ≥ 0.88', 'else'],
      m: [1, 0.514, 0.3549, 0.0292, 0.1019],
      u: [1, 0.0001308, 0.0004105, 0.000213, 0.9992],
      estimatedBy: 'em',
    },
    {
      comparison: { field: 'city', kind: 'text' },
      labels: ['null', 'exact', 'jaro-winkler ≥ 0.92', 'jaro-winkler ≥ 0.88', 'else'],
      m: [1, 0.7638, 0.1781, 0.005327, 0.05285],
      u: [1, 0.001096, 0.0003829, 0.0002961, 0.9982],
      estimatedBy: 'em',
    },
    {
      comparison: { field: 'postcode', kind: 'identifier', maxEdits: [1] },
      labels: ['null', 'exact', 'edits ≤ 1', 'else'],
      m: [1, 0.8456, 0.1401, 0.01435],
      u: [1, 0.001132, 0.01263, 0.9862],
      estimatedBy: 'em',
    },
    {
      comparison: { field: 'phone', kind: 'identifier' },
      labels: ['null', 'exact', 'edits ≤ 1', 'edits ≤ 2', 'else'],
      m: [1, 0.75, 0.04, 0.01, 0.2],
      u: [1, 0.000001, 0.00001, 0.0001, 0.999889],
      estimatedBy: 'assumed',
    },
    {
      comparison: { field: 'email', kind: 'identifier' },
      labels: ['null', 'exact', 'edits ≤ 1', 'edits ≤ 2', 'else'],
      m: [1, 0.7, 0.03, 0.01, 0.26],
      u: [1, 0.000001, 0.00001, 0.0001, 0.999889],
      estimatedBy: 'assumed',
    },
  ],
};

export class MatchModelError extends Error {
  override readonly name = 'MatchModelError';
}

/**
 * The model with another prior, e.g. `withPrior(model, 1 / customerCount)`. Throws {@link MatchModelError}
 * unless 0 < prior < 1.
 */
export const withPrior = (model: MatchModel, prior: number): MatchModel => {
  if (!(prior > 0 && prior < 1)) throw new MatchModelError(`prior must be in (0, 1), got ${prior}`);
  return { ...model, prior };
};

const probability = z.number().gt(0).lte(1);
const jwThresholds = z
  .array(z.number().gt(0).lte(1))
  .min(1)
  .max(5)
  .refine((xs) => xs.every((x, i) => i === 0 || x < (xs[i - 1] ?? 0)), 'expected decreasing thresholds');
const edits = z
  .array(z.int().min(0).max(5))
  .max(4)
  .refine((xs) => xs.every((x, i) => i === 0 || x > (xs[i - 1] ?? 0)), 'expected increasing edit counts');
const field = z.enum(MATCH_FIELDS);
const comparison = z.discriminatedUnion('kind', [
  z.strictObject({
    field,
    kind: z.literal('name'),
    thresholds: jwThresholds.optional(),
    phonetic: z.boolean().optional(),
  }),
  z.strictObject({ field, kind: z.literal('text'), thresholds: jwThresholds.optional() }),
  z.strictObject({ field, kind: z.literal('identifier'), maxEdits: edits.optional() }),
  z.strictObject({ field, kind: z.literal('date') }),
  z.strictObject({ field, kind: z.literal('exact') }),
]);
const modelField = z
  .strictObject({
    comparison,
    labels: z.array(z.string().min(1)).min(3).max(15),
    m: z.array(probability).min(3).max(15),
    u: z.array(probability).min(3).max(15),
    estimatedBy: z.enum(['em', 'assumed']),
  })
  .superRefine((f, ctx) => {
    const expected = comparisonLabels(f.comparison);
    if (f.labels.length !== expected.length || f.labels.some((l, i) => l !== expected[i]))
      ctx.addIssue({
        code: 'custom',
        path: ['labels'],
        message: `expected the comparison's levels: ${expected.join(' | ')}`,
      });
    for (const key of ['m', 'u'] as const) {
      const xs = f[key];
      if (xs.length !== expected.length)
        ctx.addIssue({ code: 'custom', path: [key], message: `expected ${expected.length} probabilities` });
      else if (xs[0] !== 1)
        ctx.addIssue({ code: 'custom', path: [key, 0], message: 'the null level is 1 (no evidence)' });
      else {
        const sum = xs.slice(1).reduce((s, x) => s + x, 0);
        if (Math.abs(sum - 1) > 0.01)
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `levels after null must sum to 1, got ${sum.toFixed(4)}`,
          });
      }
    }
  });
const matchModelSchema = z.strictObject({
  version: z.literal(1),
  source: z.string().min(1).max(1000),
  prior: z.number().gt(0).lt(1),
  fields: z
    .array(modelField)
    .min(1)
    .max(13)
    .refine(
      (fs) => new Set(fs.map((f) => f.comparison.field)).size === fs.length,
      'expected each field at most once',
    ),
});

/** Validates a decoded model file; throws {@link MatchModelError} listing each problem. */
export const parseMatchModel = (input: unknown): MatchModel => {
  const result = parseContract(matchModelSchema, input);
  if (result.ok) return result.value as MatchModel;
  throw new MatchModelError(`invalid match model: ${result.reasons.join('; ')}`);
};

const compiled = new WeakMap<MatchModel, FellegiSunterModel>();

/** The model in the form `matchWeight` / `matchProbability` take (cached per model object). */
export const fellegiSunterOf = (model: MatchModel): FellegiSunterModel => {
  let fs = compiled.get(model);
  if (!fs) {
    fs = fellegiSunterModel(
      model.fields.map((f) => ({ field: f.comparison.field, labels: f.labels, m: f.m, u: f.u })),
      model.prior,
    );
    compiled.set(model, fs);
  }
  return fs;
};
