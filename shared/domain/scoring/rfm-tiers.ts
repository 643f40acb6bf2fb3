/**
 * RFM value tiers: recency, frequency and monetary quintile scores (1–5) over a population of customers, and
 * named tiers from configurable rules, first match wins. Pure: the reference time is an input.
 */

export type RfmInput = {
  readonly customerId: string;
  /** ISO-8601; absent for a customer who never bought. */
  readonly lastPurchaseAt?: string;
  readonly purchaseCount: number;
  /** Spend in minor units of one currency. */
  readonly spendMinor: number;
};

export type RfmScore = {
  readonly customerId: string;
  /** Whole days since the last purchase; Infinity when none. */
  readonly recencyDays: number;
  readonly frequency: number;
  readonly monetaryMinor: number;
  /** Quintile scores, 5 best: R by fewest days, F and M by most. */
  readonly r: number;
  readonly f: number;
  readonly m: number;
  readonly tier: string;
};

/**
 * A named tier: every bound given must hold. Scores are 1–5; raw bounds are in days, purchases and minor
 * units (the seed's "R ≤ 30 days, F ≥ 5, M ≥ 10,000" is `maxRecencyDays: 30, minFrequency: 5,
 * minMonetaryMinor: 1_000_000`).
 */
export type RfmTierRule = {
  readonly name: string;
  readonly minR?: number;
  readonly maxR?: number;
  readonly minF?: number;
  readonly maxF?: number;
  readonly minM?: number;
  readonly maxM?: number;
  readonly maxRecencyDays?: number;
  readonly minFrequency?: number;
  readonly minMonetaryMinor?: number;
};

export class RfmTierRuleError extends Error {
  override readonly name = 'RfmTierRuleError';
}

export const DEFAULT_RFM_TIERS: readonly RfmTierRule[] = [
  { name: 'high-value', maxRecencyDays: 30, minFrequency: 5, minMonetaryMinor: 1_000_000 },
  { name: 'core', minR: 4, minF: 4 },
  { name: 'potential', minR: 4, maxF: 2 },
  { name: 'at-risk', maxR: 2, minF: 3 },
  { name: 'dormant', maxR: 1 },
  { name: 'regular' },
];

const DAY_MS = 86_400_000;

/** Checks names and bounds once: scores within 1–5, a catch-all last so every customer gets a tier. */
export const checkTierRules = (rules: readonly RfmTierRule[]): readonly RfmTierRule[] => {
  if (rules.length === 0) throw new RfmTierRuleError('at least one tier is needed');
  const names = new Set<string>();
  for (const rule of rules) {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(rule.name))
      throw new RfmTierRuleError(`bad tier name '${rule.name}'`);
    if (names.has(rule.name)) throw new RfmTierRuleError(`tier '${rule.name}' defined twice`);
    names.add(rule.name);
    for (const key of ['minR', 'maxR', 'minF', 'maxF', 'minM', 'maxM'] as const) {
      const v = rule[key];
      if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= 5))
        throw new RfmTierRuleError(`tier '${rule.name}': ${key} must be a score from 1 to 5, got ${v}`);
    }
  }
  const last = rules[rules.length - 1];
  if (last && Object.keys(last).length > 1)
    throw new RfmTierRuleError(
      `the last tier ('${last.name}') must have no bounds, so every customer gets one`,
    );
  return rules;
};

/** How many of the sorted `values` are strictly below / strictly above `v` (binary search). */
const countBelow = (sorted: readonly number[], v: number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
const countAbove = (sorted: readonly number[], v: number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) <= v) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
};

/** Quintile score 1–5 of `v` against a sorted population: the share strictly worse decides; ties alike. */
const quintileOf = (sorted: readonly number[], v: number, better: 'higher' | 'lower'): number => {
  if (sorted.length === 0) return 1;
  const worse = better === 'higher' ? countBelow(sorted, v) : countAbove(sorted, v);
  return Math.min(5, 1 + Math.floor((5 * worse) / sorted.length));
};

/** Recency of a customer who never bought: worse than any real one, and finite so it survives JSON. */
const NEVER_BOUGHT_DAYS = 36_500;

const recencyDaysOf = (c: RfmInput, at: number): number =>
  c.lastPurchaseAt === undefined
    ? NEVER_BOUGHT_DAYS
    : Math.max(0, Math.floor((at - Date.parse(c.lastPurchaseAt)) / DAY_MS));

/**
 * The population a customer is ranked against, as sorted quantile points (at most `points` + 1 per
 * measure): what the batch stores with the model so a single customer is scored on an event exactly the
 * way the batch scored everyone.
 */
export type RfmReference = {
  readonly at: string;
  readonly recencyDays: readonly number[];
  readonly frequency: readonly number[];
  readonly monetaryMinor: readonly number[];
};

const quantilePoints = (values: number[], points: number): number[] => {
  values.sort((a, b) => a - b);
  if (values.length <= points + 1) return values;
  return Array.from(
    { length: points + 1 },
    (_, i) => values[Math.round((i * (values.length - 1)) / points)] ?? 0,
  );
};

export const rfmReference = (customers: readonly RfmInput[], now: string, points = 1000): RfmReference => {
  const at = Date.parse(now);
  return {
    at: now,
    recencyDays: quantilePoints(
      customers.map((c) => recencyDaysOf(c, at)),
      points,
    ),
    frequency: quantilePoints(
      customers.map((c) => c.purchaseCount),
      points,
    ),
    monetaryMinor: quantilePoints(
      customers.map((c) => c.spendMinor),
      points,
    ),
  };
};

/** One customer's RFM scores and tier at `now`, ranked against a stored population. */
export const rfmScoreAgainst = (
  reference: RfmReference,
  c: RfmInput,
  now: string,
  rules: readonly RfmTierRule[] = DEFAULT_RFM_TIERS,
): RfmScore => {
  const recencyDays = recencyDaysOf(c, Date.parse(now));
  const never = c.purchaseCount === 0;
  const base = {
    customerId: c.customerId,
    recencyDays: never ? Number.POSITIVE_INFINITY : recencyDays,
    frequency: c.purchaseCount,
    monetaryMinor: c.spendMinor,
    // Never bought: the lowest scores, whatever the population looks like.
    r: never ? 1 : quintileOf(reference.recencyDays, recencyDays, 'lower'),
    f: never ? 1 : quintileOf(reference.frequency, c.purchaseCount, 'higher'),
    m: never ? 1 : quintileOf(reference.monetaryMinor, c.spendMinor, 'higher'),
  };
  return { ...base, tier: rules.find((rule) => holds(rule, base))?.name ?? 'regular' };
};

const holds = (rule: RfmTierRule, s: Omit<RfmScore, 'tier'>): boolean =>
  (rule.minR === undefined || s.r >= rule.minR) &&
  (rule.maxR === undefined || s.r <= rule.maxR) &&
  (rule.minF === undefined || s.f >= rule.minF) &&
  (rule.maxF === undefined || s.f <= rule.maxF) &&
  (rule.minM === undefined || s.m >= rule.minM) &&
  (rule.maxM === undefined || s.m <= rule.maxM) &&
  (rule.maxRecencyDays === undefined || s.recencyDays <= rule.maxRecencyDays) &&
  (rule.minFrequency === undefined || s.frequency >= rule.minFrequency) &&
  (rule.minMonetaryMinor === undefined || s.monetaryMinor >= rule.minMonetaryMinor);

/** Scores a population at `now` and names each customer's tier (the first rule that holds). */
export const rfmTiers = (
  customers: readonly RfmInput[],
  now: string,
  rules: readonly RfmTierRule[] = DEFAULT_RFM_TIERS,
): RfmScore[] => {
  checkTierRules(rules);
  const reference = rfmReference(customers, now, Number.POSITIVE_INFINITY);
  return customers.map((c) => rfmScoreAgainst(reference, c, now, rules));
};
