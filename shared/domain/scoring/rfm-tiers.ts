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

/** Quintile score 1–5 of each value: the share of the population strictly worse decides; ties score alike. */
const quintiles = (values: readonly number[], better: 'higher' | 'lower'): number[] => {
  const sorted = [...values].sort((a, b) => a - b);
  const n = values.length;
  const below = (v: number) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] ?? 0) < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const above = (v: number) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] ?? 0) <= v) lo = mid + 1;
      else hi = mid;
    }
    return n - lo;
  };
  return values.map((v) => {
    const worse = better === 'higher' ? below(v) : above(v);
    return Math.min(5, 1 + Math.floor((5 * worse) / n));
  });
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
  const at = Date.parse(now);
  const recency = customers.map((c) =>
    c.lastPurchaseAt === undefined
      ? Number.POSITIVE_INFINITY
      : Math.max(0, Math.floor((at - Date.parse(c.lastPurchaseAt)) / DAY_MS)),
  );
  const r = quintiles(recency, 'lower');
  const f = quintiles(
    customers.map((c) => c.purchaseCount),
    'higher',
  );
  const m = quintiles(
    customers.map((c) => c.spendMinor),
    'higher',
  );
  return customers.map((c, i) => {
    const base = {
      customerId: c.customerId,
      recencyDays: recency[i] ?? Number.POSITIVE_INFINITY,
      frequency: c.purchaseCount,
      monetaryMinor: c.spendMinor,
      // Never bought: the lowest scores, whatever the population looks like.
      r: c.purchaseCount === 0 ? 1 : (r[i] ?? 1),
      f: c.purchaseCount === 0 ? 1 : (f[i] ?? 1),
      m: c.purchaseCount === 0 ? 1 : (m[i] ?? 1),
    };
    return { ...base, tier: rules.find((rule) => holds(rule, base))?.name ?? 'regular' };
  });
};
