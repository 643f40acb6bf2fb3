import { matchWeight, probabilityOfWeight } from './fellegi-sunter.model.ts';
import { compileComparison, extractFeatures } from './field-comparison.ts';
import { DEFAULT_MATCH_MODEL, fellegiSunterOf, type MatchField, type MatchModel } from './match-model.ts';

/*
 * Real-time probabilistic matching: an incoming record against the few candidate customers its blocking keys
 * found. Each pair gets, per compared trait, the comparison level of `field-comparison.ts`; the Fellegi-Sunter
 * model turns the levels into a match weight and probability; thresholds turn the probability into a
 * decision — merge automatically, suggest for review, or nothing. Every score carries an explanation: per
 * trait the level and its weight, so a link says why it was made. Explanations hold no trait values (no PII).
 *
 * A trait may have several values (a customer seen with two addresses): each pair of values is compared and
 * the level with the highest weight counts. That is symmetric, so scoring A against B equals B against A.
 */

/** Comparison traits, as cleaning hands them on (plus phone / e-mail identities); several values allowed. */
export type ComparisonTraits = {
  readonly [F in MatchField]?: string | readonly string[] | undefined;
};

/** A candidate customer with its (decrypted) comparison traits. */
export type CandidateTraits = { readonly customerId: string; readonly traits: ComparisonTraits };

export type MatchDecision = 'merge' | 'suggest' | 'none';

export type MatchThresholds = {
  /** At or above this probability two records are merged without review. @default 0.99 */
  readonly autoMerge: number;
  /** At or above this (and below `autoMerge`) the pair goes to the review queue. @default 0.8 */
  readonly review: number;
  /**
   * An automatic merge also needs this many traits with positive evidence; fewer (e.g. a name alone, however
   * rare the model thinks it is) is at most a suggestion. @default 2
   */
  readonly minAgreeingFields: number;
  /**
   * An automatic merge also needs positive evidence on one of these: traits that set a person apart. A name
   * and a city agree for thousands of people (two 李娜 in Shanghai), whatever the model's u-probabilities
   * say; such a pair is at most a suggestion. @default birthday, address, postcode, phone, email
   */
  readonly distinguishingFields: readonly MatchField[];
};

export const DEFAULT_MATCH_THRESHOLDS: MatchThresholds = {
  autoMerge: 0.99,
  review: 0.8,
  minAgreeingFields: 2,
  distinguishingFields: ['birthday', 'address', 'postcode', 'phone', 'email'],
};

/** One trait's part in a score. */
export type FieldEvidence = {
  readonly field: MatchField;
  /** The comparison level's label, e.g. `jaro-winkler ≥ 0.92`. */
  readonly level: string;
  /** log2(m/u) of that level: its contribution to the match weight. */
  readonly weight: number;
};

export type MatchExplanation = {
  /** Compared traits (both sides had a value), in model order. */
  readonly fields: readonly FieldEvidence[];
  /** Traits of the model that one side lacked: no evidence either way. */
  readonly missing: readonly MatchField[];
  /** log2(λ / (1 − λ)). */
  readonly priorWeight: number;
  /** Prior weight + the fields' weights. */
  readonly weight: number;
  readonly probability: number;
  /** The model's `source`. */
  readonly model: string;
  /** E.g. `name: jaro-winkler ≥ 0.92 (+10.9), birthday: exact (+12.1), prior (-12.3) → weight 10.7, p 0.99938`. */
  readonly text: string;
};

export type CandidateScore = {
  readonly customerId: string;
  readonly weight: number;
  readonly probability: number;
  readonly decision: MatchDecision;
  readonly explanation: MatchExplanation;
};

export type MatchOptions = {
  readonly model?: MatchModel | undefined;
  readonly thresholds?: MatchThresholds | undefined;
};

export class MatchThresholdsError extends Error {
  override readonly name = 'MatchThresholdsError';
}

/** Values of a trait at most compared per side; more are ignored (a bound on the pairs compared). */
export const MAX_VALUES_PER_TRAIT = 4;

/** A trait's distinct non-blank values, at most {@link MAX_VALUES_PER_TRAIT}. */
export const traitValues = (traits: ComparisonTraits, field: MatchField): string[] => {
  const v = traits[field];
  const xs = v === undefined ? [] : typeof v === 'string' ? [v] : v;
  const out: string[] = [];
  for (const x of xs) {
    if (typeof x !== 'string') continue;
    const t = x.trim();
    if (t !== '' && !out.includes(t)) out.push(t);
    if (out.length === MAX_VALUES_PER_TRAIT) break;
  }
  return out;
};

const signed = (x: number): string => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(1)}`;

const formatProbability = (p: number): string => (p > 0.99999 && p < 1 ? '> 0.99999' : p.toFixed(5));

/** The one-line form of an explanation. */
export const explanationText = (e: Omit<MatchExplanation, 'text'>): string => {
  const parts = e.fields.map((f) => `${f.field}: ${f.level} (${signed(f.weight)})`);
  parts.push(`prior (${signed(e.priorWeight)})`);
  return `${parts.join(', ')} → weight ${e.weight.toFixed(1)}, p ${formatProbability(e.probability)}`;
};

/** Throws {@link MatchThresholdsError} unless 0 < review ≤ autoMerge ≤ 1 and minAgreeingFields ≥ 0. */
export const checkThresholds = (t: MatchThresholds): MatchThresholds => {
  if (!(t.review > 0 && t.review <= t.autoMerge && t.autoMerge <= 1))
    throw new MatchThresholdsError(`expected 0 < review ≤ autoMerge ≤ 1, got ${t.review} / ${t.autoMerge}`);
  if (!(Number.isInteger(t.minAgreeingFields) && t.minAgreeingFields >= 0))
    throw new MatchThresholdsError(
      `minAgreeingFields must be a whole number ≥ 0, got ${t.minAgreeingFields}`,
    );
  return t;
};

/** The decision for a score: merge, suggest or none. */
export const decideMatch = (
  probability: number,
  agreeingFields: number,
  thresholds: MatchThresholds = DEFAULT_MATCH_THRESHOLDS,
  distinguishingAgree = true,
): MatchDecision => {
  if (
    probability >= thresholds.autoMerge &&
    agreeingFields >= thresholds.minAgreeingFields &&
    distinguishingAgree
  )
    return 'merge';
  return probability >= thresholds.review ? 'suggest' : 'none';
};

/**
 * Per candidate and compared field, the level with the highest weight over every pair of values (0, "null",
 * when a side has none). Features are extracted once for the record and all candidates together.
 */
const levelsOf = (model: MatchModel, record: ComparisonTraits, candidates: readonly CandidateTraits[]) => {
  const fs = fellegiSunterOf(model);
  const levels = candidates.map(() => new Uint8Array(model.fields.length));
  model.fields.forEach((mf, f) => {
    const field = mf.comparison.field;
    const weights = fs.fields[f]?.weights ?? [];
    const mine = traitValues(record, field);
    if (mine.length === 0) return;
    const values = [...mine];
    const ranges = candidates.map((c) => {
      const theirs = traitValues(c.traits, field);
      const from = values.length;
      values.push(...theirs);
      return [from, values.length] as const;
    });
    const compiled = compileComparison(
      mf.comparison,
      new Map([[field, extractFeatures(mf.comparison.kind, values)]]),
    );
    ranges.forEach(([from, to], c) => {
      let best = 0;
      let bestWeight = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < mine.length; i++)
        for (let j = from; j < to; j++) {
          const level = compiled.levelOf(i, j);
          const w = weights[level] ?? 0;
          if (level !== 0 && (w > bestWeight || (w === bestWeight && level < best))) {
            best = level;
            bestWeight = w;
          }
        }
      const row = levels[c];
      if (row) row[f] = best;
    });
  });
  return levels;
};

const explain = (model: MatchModel, levels: Uint8Array): MatchExplanation => {
  const fs = fellegiSunterOf(model);
  const fields: FieldEvidence[] = [];
  const missing: MatchField[] = [];
  model.fields.forEach((mf, f) => {
    const level = levels[f] ?? 0;
    if (level === 0) missing.push(mf.comparison.field);
    else
      fields.push({
        field: mf.comparison.field,
        level: mf.labels[level] ?? String(level),
        weight: fs.fields[f]?.weights[level] ?? 0,
      });
  });
  const weight = matchWeight(fs, levels);
  const base = {
    fields,
    missing,
    priorWeight: Math.log2(model.prior / (1 - model.prior)),
    weight,
    probability: probabilityOfWeight(weight),
    model: model.source,
  };
  return { ...base, text: explanationText(base) };
};

/**
 * Scores each candidate against the record: match weight, probability, decision and explanation, best
 * first (ties by customer id). Missing or blank traits are no evidence; never throws on absent traits.
 *
 * @example
 * scoreCandidates({ name: 'Zhang Wie', birthday: '1990-04-21' }, [{ customerId: 'c1', traits: { name: '张伟', birthday: '1990-04-12' } }])
 * // [{ customerId: 'c1', decision: 'suggest', explanation: { text: 'name: jaro-winkler ≥ 0.92 (+10.9), birthday: … → …' }, … }]
 */
export const scoreCandidates = (
  record: ComparisonTraits,
  candidates: readonly CandidateTraits[],
  options: MatchOptions = {},
): CandidateScore[] => {
  const model = options.model ?? DEFAULT_MATCH_MODEL;
  const thresholds = checkThresholds(options.thresholds ?? DEFAULT_MATCH_THRESHOLDS);
  const levels = levelsOf(model, record, candidates);
  return candidates
    .map((c, k) => ({
      customerId: c.customerId,
      ...scoreOf(model, thresholds, levels[k] ?? new Uint8Array(model.fields.length)),
    }))
    .sort((a, b) => b.weight - a.weight || a.customerId.localeCompare(b.customerId));
};

const scoreOf = (
  model: MatchModel,
  thresholds: MatchThresholds,
  levels: Uint8Array,
): Omit<CandidateScore, 'customerId'> => {
  const explanation = explain(model, levels);
  const agreeing = explanation.fields.filter((f) => f.weight > 0);
  const distinguishing = agreeing.some((f) => thresholds.distinguishingFields.includes(f.field));
  return {
    weight: explanation.weight,
    probability: explanation.probability,
    decision: decideMatch(explanation.probability, agreeing.length, thresholds, distinguishing),
    explanation,
  };
};

/** The score of one pair of trait sets; symmetric in `a` and `b`. */
export const scorePair = (
  a: ComparisonTraits,
  b: ComparisonTraits,
  options: MatchOptions = {},
): Omit<CandidateScore, 'customerId'> => {
  const model = options.model ?? DEFAULT_MATCH_MODEL;
  const thresholds = checkThresholds(options.thresholds ?? DEFAULT_MATCH_THRESHOLDS);
  const [levels] = levelsOf(model, a, [{ customerId: '', traits: b }]);
  return scoreOf(model, thresholds, levels ?? new Uint8Array(model.fields.length));
};
