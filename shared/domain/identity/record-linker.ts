import { type BlockingRule, type CandidatePairs, generateCandidates } from './blocking.rule.ts';
import {
  type ComparisonPatterns,
  estimateUFromCounts,
  expectationMaximisation,
  type FellegiSunterModel,
  fellegiSunterModel,
  matchProbability,
  tabulatePatterns,
} from './fellegi-sunter.model.ts';
import {
  type CompiledComparison,
  compileComparison,
  extractFeatures,
  type FieldComparison,
  type FieldFeatures,
  type FieldKind,
} from './field-comparison.ts';
import { connectedComponents, oneToOne, type ScoredPairs } from './record-clusterer.ts';
import { type RandomSource, seededRandom } from './seeded-random.ts';

/*
 * The batch path of probabilistic identity resolution, for records without a strong identifier in common:
 *   1. features per record and field, once (normalised, comparable, phonetic, pinyin, date parts);
 *   2. candidate pairs from the union of the blocking rules;
 *   3. comparison levels of every candidate pair, tabulated into distinct patterns;
 *   4. u from random record pairs (seeded), m and the match share from EM over the candidate patterns;
 *   5. a match probability per pattern, hence per pair;
 *   6. pairs above the threshold → clusters (dedupe: connected components; link: one-to-one best matches).
 */

/** A record to resolve: its id, the fields by canonical name (see `record-mapping.ts`), its source in link mode. */
export type IdentityRecord = {
  readonly recordId: string;
  /** Link mode: the data set the record comes from; only records of different sources are paired. */
  readonly source?: string | undefined;
  readonly fields: Readonly<Record<string, string | undefined>>;
};

export type LinkMode = 'dedupe' | 'link';

export type LinkConfig = {
  /** `dedupe`: find duplicates within the records. `link`: match records across sources, one-to-one. @default 'dedupe' */
  readonly mode?: LinkMode | undefined;
  /** @default DEFAULT_COMPARISONS, restricted to fields some record has */
  readonly comparisons?: readonly FieldComparison[] | undefined;
  /** @default DEFAULT_BLOCKING_RULES */
  readonly blockingRules?: readonly BlockingRule[] | undefined;
  /** Match probability at or above which two records are the same entity. @default 0.5 */
  readonly threshold?: number | undefined;
  /** Blocks with more records than this are not compared (they would cost size² / 2 pairs). @default 400 */
  readonly maxBlockSize?: number | undefined;
  /** Random pairs compared to estimate u (Splink's default is 1e6; 1e5 keeps ±10 % on u ≈ 1e-3). @default 100_000 */
  readonly uSamplePairs?: number | undefined;
  /** Randomness for u sampling. @default seededRandom(1) */
  readonly random?: RandomSource | undefined;
  /** Fixes λ (the probability that two random records match) instead of deriving it from EM. */
  readonly prior?: number | undefined;
  /** @default 200 */
  readonly emMaxIterations?: number | undefined;
  /** Called as each phase ends (`features`, `blocking`, `comparison`, `u-sample`, `em`, `scoring`, `clustering`): for timing and progress. */
  readonly onPhase?: ((phase: LinkPhase) => void) | undefined;
};

export type LinkPhase = 'features' | 'blocking' | 'comparison' | 'u-sample' | 'em' | 'scoring' | 'clustering';

/** Compared fields by canonical field name; swapped given name / surname is a level of its own. */
export const DEFAULT_COMPARISONS: readonly FieldComparison[] = [
  { field: 'name', kind: 'name' },
  { field: 'givenName', kind: 'name', swapWith: 'surname' },
  { field: 'surname', kind: 'name', swapWith: 'givenName' },
  { field: 'birthday', kind: 'date' },
  { field: 'nationalId', kind: 'identifier' },
  { field: 'phone', kind: 'identifier' },
  { field: 'email', kind: 'identifier' },
  { field: 'deviceId', kind: 'identifier', maxEdits: [] },
  { field: 'memberCard', kind: 'identifier', maxEdits: [1] },
  { field: 'streetNumber', kind: 'identifier', maxEdits: [1] },
  { field: 'address', kind: 'text' },
  { field: 'address2', kind: 'text' },
  { field: 'city', kind: 'text' },
  { field: 'postcode', kind: 'identifier', maxEdits: [1] },
  { field: 'state', kind: 'exact' },
];

/** A pair only needs to agree on one of these to be compared. Rules on absent fields find nothing. */
export const DEFAULT_BLOCKING_RULES: readonly BlockingRule[] = [
  { name: 'nationalId', keys: [{ field: 'nationalId' }] },
  { name: 'phone', keys: [{ field: 'phone' }] },
  { name: 'email', keys: [{ field: 'email' }] },
  { name: 'deviceId', keys: [{ field: 'deviceId' }] },
  { name: 'memberCard', keys: [{ field: 'memberCard' }] },
  { name: 'birthday', keys: [{ field: 'birthday' }] },
  { name: 'postcode', keys: [{ field: 'postcode' }] },
  {
    name: 'surname soundex + birth year',
    keys: [
      { field: 'surname', transform: 'soundex' },
      { field: 'birthday', transform: 'year' },
    ],
  },
  {
    name: 'given name + surname initial',
    keys: [{ field: 'givenName' }, { field: 'surname', transform: 'initial' }],
  },
  { name: 'name', keys: [{ field: 'name' }] },
];

/** Kind of features a field gets when it is only used for blocking. */
const DEFAULT_KIND: Readonly<Record<string, FieldKind>> = Object.fromEntries(
  DEFAULT_COMPARISONS.map((c) => [c.field, c.kind]),
);

/** Levels are packed 4 bits per field into one double when patterns are tabulated. */
const MAX_COMPARED_FIELDS = 13;

export type LinkDiagnostics = {
  readonly records: number;
  readonly candidatePairs: number;
  readonly blocking: CandidatePairs['perRule'];
  readonly comparisonPatterns: number;
  readonly uSamplePairs: number;
  /** Share of matches among the candidate pairs, as EM found it. */
  readonly candidateMatchShare: number;
  readonly emIterations: number;
  readonly emConverged: boolean;
};

/** Every candidate pair with its probability, before any threshold. */
export type ScoredRecords = {
  readonly recordIds: readonly string[];
  readonly mode: LinkMode;
  readonly pairs: ScoredPairs;
  readonly model: FellegiSunterModel;
  readonly diagnostics: LinkDiagnostics;
};

export type LinkResult = {
  /** Pairs taken as matches (at or above the threshold; in link mode, one-to-one). */
  readonly pairs: readonly { readonly a: string; readonly b: string; readonly probability: number }[];
  /** Every record id → its cluster id (the smallest record id of its cluster; itself when alone). */
  readonly clusters: Map<string, string>;
  readonly model: FellegiSunterModel;
  readonly diagnostics: LinkDiagnostics;
};

const hasValue = (records: readonly IdentityRecord[], field: string): boolean =>
  records.some((r) => (r.fields[field] ?? '').trim() !== '');

const levelsOf = (
  comparisons: readonly CompiledComparison[],
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  count: number,
): Uint8Array => {
  const F = comparisons.length;
  const levels = new Uint8Array(count * F);
  for (let f = 0; f < F; f++) {
    const c = comparisons[f];
    if (!c) continue;
    const levelOf = c.levelOf;
    for (let p = 0; p < count; p++) levels[p * F + f] = levelOf(a[p] ?? 0, b[p] ?? 0);
  }
  return levels;
};

/** Random record pairs (record indexes `a[k]`, `b[k]`) whose comparison levels give u. */
export type SamplePairs = { readonly a: Int32Array; readonly b: Int32Array; readonly count: number };

/** Random pairs for u: every pair when there are fewer than asked, else a seeded sample. */
const samplePairs = (
  n: number,
  sourceOf: Int32Array | undefined,
  wanted: number,
  total: number,
  random: RandomSource,
): SamplePairs => {
  if (total <= wanted) {
    const a = new Int32Array(total);
    const b = new Int32Array(total);
    let k = 0;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        if (sourceOf && sourceOf[i] === sourceOf[j]) continue;
        a[k] = i;
        b[k] = j;
        k++;
      }
    return { a, b, count: k };
  }
  const a = new Int32Array(wanted);
  const b = new Int32Array(wanted);
  let k = 0;
  // Rejection keeps the draw uniform over admissible pairs; `total > wanted` ensures there are enough.
  while (k < wanted) {
    const i = Math.floor(random() * n);
    const j = Math.floor(random() * n);
    if (i === j || (sourceOf && sourceOf[i] === sourceOf[j])) continue;
    a[k] = i;
    b[k] = j;
    k++;
  }
  return { a, b, count: k };
};

const pairCount = (n: number, sourceOf: Int32Array | undefined): number => {
  if (!sourceOf) return (n * (n - 1)) / 2;
  const sizes = new Map<number, number>();
  for (let i = 0; i < n; i++) sizes.set(sourceOf[i] ?? 0, (sizes.get(sourceOf[i] ?? 0) ?? 0) + 1);
  let sum = 0;
  let total = 0;
  for (const s of sizes.values()) {
    total += s * sum;
    sum += s;
  }
  return total;
};

/*
 * The batch path in stages, so a runtime can spread it over threads (see
 * `shared/adapters/compute/parallel-record-linker.ts`) while `scoreRecords` runs them in one:
 *   planLink → sampleUPairs → compareCandidates → countSampleLevels (any slices, any order) → fitAndScore.
 * u only needs, per field, how many sample pairs fall on each level: counts of slices add up exactly, so any
 * split of the sample gives the same u as one pass.
 */

/** What a link needs before any feature is computed: validated configuration, compared fields, sources. */
export type LinkPlan = {
  readonly mode: LinkMode;
  readonly n: number;
  readonly recordIds: readonly string[];
  /** The configured comparisons restricted to fields some record has (at most 13). */
  readonly comparisons: readonly FieldComparison[];
  readonly rules: readonly BlockingRule[];
  /** The kind of features each field gets (compared, swapped-with and blocking fields). */
  readonly kinds: ReadonlyMap<string, FieldKind>;
  /** Link mode: each record's source as a small integer. */
  readonly sourceOf: Int32Array | undefined;
  /** Admissible record pairs (all pairs in dedupe mode, cross-source pairs in link mode). */
  readonly totalPairs: number;
};

/**
 * Validates the configuration against the records and plans the link. Throws on duplicate record ids or
 * more than 13 compared fields (configuration errors).
 */
export const planLink = (records: readonly IdentityRecord[], config: LinkConfig = {}): LinkPlan => {
  const mode = config.mode ?? 'dedupe';
  const n = records.length;
  const recordIds = records.map((r) => r.recordId);
  if (new Set(recordIds).size !== n) throw new Error('record ids must be unique');

  const comparisons = (config.comparisons ?? DEFAULT_COMPARISONS).filter((c) => hasValue(records, c.field));
  if (comparisons.length > MAX_COMPARED_FIELDS)
    throw new Error(`at most ${MAX_COMPARED_FIELDS} fields can be compared, got ${comparisons.length}`);
  const rules = config.blockingRules ?? DEFAULT_BLOCKING_RULES;

  const kinds = new Map<string, FieldKind>();
  for (const c of comparisons) {
    kinds.set(c.field, c.kind);
    if (c.kind === 'name' && c.swapWith && !kinds.has(c.swapWith))
      kinds.set(c.swapWith, DEFAULT_KIND[c.swapWith] ?? 'name');
  }
  for (const r of rules)
    for (const k of r.keys) if (!kinds.has(k.field)) kinds.set(k.field, DEFAULT_KIND[k.field] ?? 'text');

  let sourceOf: Int32Array | undefined;
  if (mode === 'link') {
    const sources = new Map<string, number>();
    sourceOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const s = records[i]?.source ?? '';
      let id = sources.get(s);
      if (id === undefined) {
        id = sources.size;
        sources.set(s, id);
      }
      sourceOf[i] = id;
    }
  }
  return { mode, n, recordIds, comparisons, rules, kinds, sourceOf, totalPairs: pairCount(n, sourceOf) };
};

/** The random pairs u is counted on: `config.uSamplePairs` of them drawn from `config.random`. */
export const sampleUPairs = (plan: LinkPlan, config: LinkConfig = {}): SamplePairs =>
  samplePairs(
    plan.n,
    plan.sourceOf,
    config.uSamplePairs ?? 100_000,
    plan.totalPairs,
    config.random ?? seededRandom(1),
  );

/** Features of the given fields (`field → kind`) for every record. */
const featuresOf = (
  records: readonly IdentityRecord[],
  kinds: Iterable<readonly [string, FieldKind]>,
): Map<string, FieldFeatures> => {
  const features = new Map<string, FieldFeatures>();
  for (const [field, kind] of kinds)
    features.set(
      field,
      extractFeatures(
        kind,
        records.map((r) => r.fields[field]),
      ),
    );
  return features;
};

/** One field's raw values for every record (`values[i]` is record i's), with the kind of its features. */
export type FieldColumn = {
  readonly field: string;
  readonly kind: FieldKind;
  readonly values: readonly (string | undefined)[];
};

/**
 * The columns the comparisons read (compared and swapped-with fields): all that a thread counting u needs
 * from the records, as plain data it can be sent.
 */
export const comparedColumns = (plan: LinkPlan, records: readonly IdentityRecord[]): FieldColumn[] => {
  const fields = new Set<string>();
  for (const c of plan.comparisons) {
    fields.add(c.field);
    if (c.kind === 'name' && c.swapWith) fields.add(c.swapWith);
  }
  return [...fields].map((field) => ({
    field,
    kind: plan.kinds.get(field) ?? 'text',
    values: records.map((r) => r.fields[field]),
  }));
};

/**
 * The comparisons compiled against features of the given columns: what `countSampleLevels` runs elsewhere
 * than in `compareCandidates`. The levels are the same as there, since a field's features depend on its
 * values and kind only.
 */
export const compileComparisons = (
  comparisons: readonly FieldComparison[],
  columns: readonly FieldColumn[],
): CompiledComparison[] => {
  const features = new Map<string, FieldFeatures>();
  for (const c of columns) features.set(c.field, extractFeatures(c.kind, c.values));
  return comparisons.map((c) => compileComparison(c, features));
};

/** Levels are counted per field in slots of this many (levels are < 16). */
export const LEVEL_SLOTS = 16;

/**
 * Adds, for sample pairs `from` ≤ k < `to`, one to `counts[f * LEVEL_SLOTS + level]` per field f: the
 * level counts u is estimated from. Slices may be counted in any order, by any thread, into separate
 * arrays; summing them gives exactly the counts of one pass over the whole sample.
 */
export const countSampleLevels = (
  comparisons: readonly CompiledComparison[],
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  from: number,
  to: number,
  counts: Float64Array = new Float64Array(comparisons.length * LEVEL_SLOTS),
): Float64Array => {
  for (let f = 0; f < comparisons.length; f++) {
    const c = comparisons[f];
    if (!c) continue;
    const levelOf = c.levelOf;
    const base = f * LEVEL_SLOTS;
    for (let p = from; p < to; p++) {
      const slot = base + levelOf(a[p] ?? 0, b[p] ?? 0);
      counts[slot] = (counts[slot] ?? 0) + 1;
    }
  }
  return counts;
};

/** Candidate pairs with their comparison patterns. */
export type ComparedCandidates = {
  readonly compiled: readonly CompiledComparison[];
  readonly candidates: CandidatePairs;
  readonly patterns: ComparisonPatterns;
};

/** Features, blocking and the comparison patterns of the candidate pairs (phases `features` to `comparison`). */
export const compareCandidates = (
  plan: LinkPlan,
  records: readonly IdentityRecord[],
  config: LinkConfig = {},
): ComparedCandidates => {
  const phase = config.onPhase ?? (() => {});
  // 1. Features, once per record and field.
  const features = featuresOf(records, plan.kinds);
  const compiled = plan.comparisons.map((c) => compileComparison(c, features));
  phase('features');
  // 2–3. Candidates and their comparison patterns.
  const candidates = generateCandidates({
    rules: plan.rules,
    features,
    n: plan.n,
    sourceOf: plan.sourceOf,
    maxBlockSize: config.maxBlockSize ?? 400,
  });
  phase('blocking');
  const patterns = tabulatePatterns(
    levelsOf(compiled, candidates.a, candidates.b, candidates.count),
    candidates.count,
    compiled.length,
  );
  phase('comparison');
  return { compiled, candidates, patterns };
};

/**
 * u from the sample's level counts (`countSampleLevels`, summed over slices), m and the candidate match share
 * by EM, then a probability per candidate pair (phases `em` and `scoring`; the caller ends `u-sample`).
 */
export const fitAndScore = (
  plan: LinkPlan,
  compared: ComparedCandidates,
  sampleCounts: Float64Array,
  samplePairCount: number,
  config: LinkConfig = {},
): ScoredRecords => {
  const phase = config.onPhase ?? (() => {});
  const { compiled, candidates, patterns: candidatePatterns } = compared;
  const levelCounts = compiled.map((c) => c.labels.length);
  const F = compiled.length;
  const u = estimateUFromCounts(
    levelCounts.map((L, f) => sampleCounts.subarray(f * LEVEL_SLOTS, f * LEVEL_SLOTS + L)),
    levelCounts,
  );
  const em = expectationMaximisation({
    patterns: candidatePatterns,
    levelCounts,
    u,
    maxIterations: config.emMaxIterations,
  });
  phase('em');
  // EM's share is among candidates; as a prior over all pairs it is scaled by candidates / all pairs.
  const prior =
    config.prior ??
    Math.min(Math.max((em.lambda * candidates.count) / Math.max(plan.totalPairs, 1), 1e-12), 1 - 1e-9);
  const model = fellegiSunterModel(
    compiled.map((c, f) => ({ field: c.field, labels: c.labels, m: em.m[f] ?? [], u: u[f] ?? [] })),
    prior,
  );

  // 5. Probability per pattern, hence per pair.
  const P = candidatePatterns.counts.length;
  const patternProbability = new Float64Array(P);
  for (let k = 0; k < P; k++)
    patternProbability[k] = matchProbability(model, candidatePatterns.levels.subarray(k * F, (k + 1) * F));
  const probability = new Float64Array(candidates.count);
  for (let p = 0; p < candidates.count; p++)
    probability[p] = patternProbability[candidatePatterns.patternOf[p] ?? 0] ?? 0;

  phase('scoring');
  return {
    recordIds: plan.recordIds,
    mode: plan.mode,
    pairs: { a: candidates.a, b: candidates.b, probability, count: candidates.count },
    model,
    diagnostics: {
      records: plan.n,
      candidatePairs: candidates.count,
      blocking: candidates.perRule,
      comparisonPatterns: P,
      uSamplePairs: samplePairCount,
      candidateMatchShare: em.lambda,
      emIterations: em.iterations,
      emConverged: em.converged,
    },
  };
};

/**
 * Fits the model and scores every candidate pair; no threshold applied. `linkRecords` is this plus
 * clustering; use this to look at several thresholds without fitting again.
 * Throws on duplicate record ids or more than 13 compared fields (configuration errors).
 */
export const scoreRecords = (records: readonly IdentityRecord[], config: LinkConfig = {}): ScoredRecords => {
  const plan = planLink(records, config);
  const compared = compareCandidates(plan, records, config);
  // 4. u from random pairs; m and the candidate match share by EM.
  const sample = sampleUPairs(plan, config);
  const counts = countSampleLevels(compared.compiled, sample.a, sample.b, 0, sample.count);
  config.onPhase?.('u-sample');
  return fitAndScore(plan, compared, counts, sample.count, config);
};

/** Matched pairs and clusters of scored records at a threshold. */
export const clusterScoredRecords = (
  scored: ScoredRecords,
  threshold: number,
): Pick<LinkResult, 'pairs' | 'clusters'> => {
  const { recordIds, pairs } = scored;
  const accepted = scored.mode === 'link' ? oneToOne(recordIds, pairs, threshold) : undefined;
  const clusterOf = connectedComponents(recordIds, pairs, threshold, accepted);
  const matched: { a: string; b: string; probability: number }[] = [];
  for (let p = 0; p < pairs.count; p++) {
    const probability = pairs.probability[p] ?? 0;
    if (probability < threshold || (accepted && accepted[p] !== 1)) continue;
    matched.push({ a: recordIds[pairs.a[p] ?? 0] ?? '', b: recordIds[pairs.b[p] ?? 0] ?? '', probability });
  }
  const clusters = new Map<string, string>();
  recordIds.forEach((id, i) => {
    clusters.set(id, clusterOf[i] ?? id);
  });
  return { pairs: matched, clusters };
};

/**
 * Resolves records into entities: fits a Fellegi-Sunter model on them (u by seeded random sampling, m by EM
 * over blocked pairs), scores the candidate pairs and clusters those at or above `config.threshold`.
 *
 * @example
 * const { clusters } = linkRecords(records, { mode: 'dedupe', threshold: 0.9 });
 * clusters.get('rec-1-dup-0'); // 'rec-1-org'
 */
export const linkRecords = (records: readonly IdentityRecord[], config: LinkConfig = {}): LinkResult => {
  const scored = scoreRecords(records, config);
  const clustered = clusterScoredRecords(scored, config.threshold ?? 0.5);
  config.onPhase?.('clustering');
  return { ...clustered, model: scored.model, diagnostics: scored.diagnostics };
};
