/*
 * The Fellegi-Sunter model (1969) as Splink uses it. For a record pair with comparison levels γ, each field
 * contributes a Bayes factor m/u — m = P(level | match), u = P(level | non-match) — and
 *   match weight = log2(λ/(1−λ)) + Σ log2(m/u),   match probability = 1 / (1 + 2^−weight).
 * u comes from comparing random record pairs (almost all non-matches). m comes from expectation-maximisation
 * over the blocked candidate pairs, where matches are common enough to be seen. The "null" level (index 0)
 * has m = u = 1: a missing value is no evidence either way.
 *
 * Comparison vectors are tabulated into distinct patterns first, so EM and scoring cost O(patterns), not
 * O(pairs): a few hundred patterns stand for millions of pairs.
 */

/** Distinct comparison vectors with their counts; `levels` is patterns × fields, row-major. */
export type ComparisonPatterns = {
  readonly fieldCount: number;
  readonly levels: Uint8Array;
  readonly counts: Float64Array;
  /** For each input pair, the index of its pattern. */
  readonly patternOf: Int32Array;
};

/** Groups `pairCount` comparison vectors (`levels`, pairs × fields) into distinct patterns. */
export const tabulatePatterns = (
  levels: Uint8Array,
  pairCount: number,
  fieldCount: number,
): ComparisonPatterns => {
  const index = new Map<number, number>();
  const patternOf = new Int32Array(pairCount);
  const rows: number[] = [];
  const counts: number[] = [];
  for (let p = 0; p < pairCount; p++) {
    // Levels are < 16, so 4 bits each; up to 13 fields stay exact in a double.
    let code = 0;
    const base = p * fieldCount;
    for (let f = 0; f < fieldCount; f++) code = code * 16 + (levels[base + f] ?? 0);
    let k = index.get(code);
    if (k === undefined) {
      k = counts.length;
      index.set(code, k);
      counts.push(0);
      rows.push(p);
    }
    counts[k] = (counts[k] ?? 0) + 1;
    patternOf[p] = k;
  }
  const out = new Uint8Array(rows.length * fieldCount);
  rows.forEach((p, k) => {
    out.set(levels.subarray(p * fieldCount, (p + 1) * fieldCount), k * fieldCount);
  });
  return { fieldCount, levels: out, counts: Float64Array.from(counts), patternOf };
};

/** Per field, a probability per level (index 0, "null", is 1 by convention). */
export type LevelProbabilities = readonly (readonly number[])[];

const FLOOR = 1e-6;

const normalise = (counts: readonly number[]): number[] => {
  let total = 0;
  for (let l = 1; l < counts.length; l++) total += Math.max(counts[l] ?? 0, 0);
  return counts.map((c, l) =>
    l === 0 ? 1 : total > 0 ? Math.max(c / total, FLOOR) : 1 / (counts.length - 1),
  );
};

/**
 * u per field and level from how many random pairs fall on each level (`levelTotals[f][l]`, "null"
 * included and ignored): level frequencies among non-null values, with a pseudo-count so a level never seen
 * in the sample keeps a small, finite u.
 */
export const estimateUFromCounts = (
  levelTotals: readonly ArrayLike<number>[],
  levelCounts: readonly number[],
  pseudoCount = 0.5,
): LevelProbabilities =>
  levelCounts.map((L, f) => {
    const totals = levelTotals[f];
    const c = new Array<number>(L).fill(pseudoCount);
    for (let l = 0; l < L; l++) c[l] = (c[l] ?? 0) + (totals?.[l] ?? 0);
    return normalise(c);
  });

/** u per field and level from the comparison vectors of random pairs (see `estimateUFromCounts`). */
export const estimateU = (
  patterns: ComparisonPatterns,
  levelCounts: readonly number[],
  pseudoCount = 0.5,
): LevelProbabilities =>
  estimateUFromCounts(
    levelCounts.map((L, f) => {
      const totals = new Array<number>(L).fill(0);
      for (let k = 0; k < patterns.counts.length; k++) {
        const l = patterns.levels[k * patterns.fieldCount + f] ?? 0;
        totals[l] = (totals[l] ?? 0) + (patterns.counts[k] ?? 0);
      }
      return totals;
    }),
    levelCounts,
    pseudoCount,
  );

export type EmInput = {
  readonly patterns: ComparisonPatterns;
  readonly levelCounts: readonly number[];
  /** Starting u; also the u kept when `fixU` is set. */
  readonly u: LevelProbabilities;
  /** Starting m. @default halving from "exact" down to "else" */
  readonly m?: LevelProbabilities | undefined;
  /** Starting share of matches among the pairs. @default 0.1 */
  readonly lambda?: number | undefined;
  /** Keep u as given and estimate m and λ only. @default false */
  readonly fixU?: boolean | undefined;
  /** @default 200 */
  readonly maxIterations?: number | undefined;
  /** Stop when no parameter moves more than this. @default 1e-6 */
  readonly tolerance?: number | undefined;
};

export type EmResult = {
  readonly m: LevelProbabilities;
  /** u among these pairs (not among all pairs, when the pairs were blocked). */
  readonly u: LevelProbabilities;
  /** Share of matches among these pairs. */
  readonly lambda: number;
  readonly iterations: number;
  readonly converged: boolean;
};

const defaultM = (L: number): number[] =>
  normalise(Array.from({ length: L }, (_, l) => (l === 0 ? 0 : 2 ** (L - 1 - l))));

/*
 * EM keeps the parameters and counts of every field in flat arrays, field f's level l at `offset[f] + l`.
 * The hot loops are small module-level functions so the JIT optimises them once for every call.
 */

/** `normalise` of each field's counts in `counts`, written into `out`. */
const normaliseFlat = (
  counts: Float64Array,
  out: Float64Array,
  offset: Int32Array,
  levelCounts: readonly number[],
): void => {
  for (let f = 0; f < levelCounts.length; f++) {
    const o = offset[f] ?? 0;
    const L = levelCounts[f] ?? 0;
    let sum = 0;
    for (let l = 1; l < L; l++) sum += Math.max(counts[o + l] ?? 0, 0);
    out[o] = 1;
    for (let l = 1; l < L; l++)
      out[o + l] = sum > 0 ? Math.max((counts[o + l] ?? 0) / sum, FLOOR) : 1 / (L - 1);
  }
};

/** Per-field probabilities (`xs[f][l]`) laid out flat. */
const flatten = (
  xs: LevelProbabilities,
  offset: Int32Array,
  levelCounts: readonly number[],
): Float64Array => {
  const out = new Float64Array(offset[levelCounts.length] ?? 0).fill(1);
  for (let f = 0; f < levelCounts.length; f++) {
    const o = offset[f] ?? 0;
    for (let l = 0; l < (levelCounts[f] ?? 0); l++) out[o + l] = xs[f]?.[l] ?? 1;
  }
  return out;
};

const unflatten = (xs: Float64Array, offset: Int32Array, levelCounts: readonly number[]): number[][] =>
  levelCounts.map((L, f) => Array.from(xs.subarray(offset[f] ?? 0, (offset[f] ?? 0) + L)));

/** E step: into `w[k]`, the probability that pattern k is a match. `slots` is -1 for "null" levels. */
const expectationStep = (
  slots: Int32Array,
  P: number,
  F: number,
  m: Float64Array,
  u: Float64Array,
  lambda: number,
  w: Float64Array,
): void => {
  for (let k = 0; k < P; k++) {
    let pm = lambda;
    let pu = 1 - lambda;
    const base = k * F;
    for (let f = 0; f < F; f++) {
      const slot = slots[base + f] ?? -1;
      if (slot < 0) continue;
      pm *= m[slot] ?? 1;
      pu *= u[slot] ?? 1;
    }
    w[k] = pm + pu > 0 ? pm / (pm + pu) : 0;
  }
};

/** M step counts: expected matches and non-matches per field and level (`mc`, `uc`); returns Σ matches. */
const maximisationCounts = (
  allSlots: Int32Array,
  P: number,
  F: number,
  counts: Float64Array,
  w: Float64Array,
  mc: Float64Array,
  uc: Float64Array,
): number => {
  mc.fill(0);
  uc.fill(0);
  let matches = 0;
  for (let k = 0; k < P; k++) {
    const c = counts[k] ?? 0;
    const wk = (w[k] ?? 0) * c;
    matches += wk;
    const base = k * F;
    for (let f = 0; f < F; f++) {
      const slot = allSlots[base + f] ?? 0;
      mc[slot] = (mc[slot] ?? 0) + wk;
      uc[slot] = (uc[slot] ?? 0) + c - wk;
    }
  }
  return matches;
};

const largestChange = (
  a: Float64Array,
  b: Float64Array,
  offset: Int32Array,
  levelCounts: readonly number[],
  from: number,
): number => {
  let delta = from;
  for (let f = 0; f < levelCounts.length; f++)
    for (let l = 1; l < (levelCounts[f] ?? 0); l++) {
      const slot = (offset[f] ?? 0) + l;
      delta = Math.max(delta, Math.abs((a[slot] ?? 0) - (b[slot] ?? 0)));
    }
  return delta;
};

/**
 * Expectation-maximisation for the two-class mixture (matches, non-matches) under conditional independence
 * of fields given the class. Null levels are left out of both classes' level distributions.
 */
export const expectationMaximisation = (input: EmInput): EmResult => {
  const { patterns, levelCounts } = input;
  const F = patterns.fieldCount;
  const P = patterns.counts.length;
  const maxIterations = input.maxIterations ?? 200;
  const tolerance = input.tolerance ?? 1e-6;
  const startM = (input.m ?? levelCounts.map(defaultM)).map((xs) => [...xs]);
  const startU = input.u.map((xs) => [...xs]);
  let lambda = input.lambda ?? 0.1;
  let total = 0;
  for (let k = 0; k < P; k++) total += patterns.counts[k] ?? 0;
  if (total === 0) return { m: startM, u: startU, lambda, iterations: 0, converged: true };

  const offset = new Int32Array(F + 1);
  for (let f = 0; f < F; f++) offset[f + 1] = (offset[f] ?? 0) + (levelCounts[f] ?? 0);
  const size = offset[F] ?? 0;
  // Each pattern's slot per field: all of them (M step), and -1 for "null" (E step).
  const allSlots = new Int32Array(P * F);
  const slots = new Int32Array(P * F);
  for (let k = 0; k < P; k++)
    for (let f = 0; f < F; f++) {
      const l = patterns.levels[k * F + f] ?? 0;
      allSlots[k * F + f] = (offset[f] ?? 0) + l;
      slots[k * F + f] = l === 0 ? -1 : (offset[f] ?? 0) + l;
    }

  let m = flatten(startM, offset, levelCounts);
  let u = flatten(startU, offset, levelCounts);
  let nextM: Float64Array = new Float64Array(size);
  let nextU: Float64Array = new Float64Array(size);
  const mc = new Float64Array(size);
  const uc = new Float64Array(size);
  const w = new Float64Array(P);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations++;
    expectationStep(slots, P, F, m, u, lambda, w);
    const matches = maximisationCounts(allSlots, P, F, patterns.counts, w, mc, uc);
    const nextLambda = Math.min(Math.max(matches / total, FLOOR), 1 - FLOOR);
    normaliseFlat(mc, nextM, offset, levelCounts);
    if (input.fixU) nextU.set(u);
    else normaliseFlat(uc, nextU, offset, levelCounts);
    const delta = largestChange(
      nextU,
      u,
      offset,
      levelCounts,
      largestChange(nextM, m, offset, levelCounts, Math.abs(nextLambda - lambda)),
    );
    const previousM = m;
    const previousU = u;
    m = nextM;
    u = nextU;
    nextM = previousM;
    nextU = previousU;
    lambda = nextLambda;
    converged = delta < tolerance;
  }
  return {
    m: unflatten(m, offset, levelCounts),
    u: input.fixU ? startU : unflatten(u, offset, levelCounts),
    lambda,
    iterations,
    converged,
  };
};

/** One field of a fitted model. */
export type FieldParameters = {
  readonly field: string;
  readonly labels: readonly string[];
  readonly m: readonly number[];
  readonly u: readonly number[];
  /** log2(m/u) per level; 0 for "null". */
  readonly weights: readonly number[];
};

export type FellegiSunterModel = {
  readonly fields: readonly FieldParameters[];
  /** λ: the probability that two records drawn at random are the same entity. */
  readonly prior: number;
};

/** Assembles a model, computing each level's match weight log2(m/u). */
export const fellegiSunterModel = (
  fields: readonly Omit<FieldParameters, 'weights'>[],
  prior: number,
): FellegiSunterModel => ({
  prior,
  fields: fields.map((f) => ({
    ...f,
    weights: f.m.map((m, l) => (l === 0 ? 0 : Math.log2(m / (f.u[l] ?? 1)))),
  })),
});

/** log2 of the posterior odds of a match for a comparison vector (prior included). */
export const matchWeight = (model: FellegiSunterModel, levels: ArrayLike<number>): number => {
  let weight = Math.log2(model.prior / (1 - model.prior));
  model.fields.forEach((f, i) => {
    weight += f.weights[levels[i] ?? 0] ?? 0;
  });
  return weight;
};

/** The match probability of a match weight: 1 / (1 + 2^−weight). */
export const probabilityOfWeight = (weight: number): number => 1 / (1 + 2 ** -weight);

/** P(match | comparison vector). */
export const matchProbability = (model: FellegiSunterModel, levels: ArrayLike<number>): number =>
  probabilityOfWeight(matchWeight(model, levels));
