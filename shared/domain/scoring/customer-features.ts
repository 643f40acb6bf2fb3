import type { CustomerProfile } from '../profile/customer-profile.ts';
import { ownValue } from '../profile/customer-profile.ts';

/*
 * The one feature definition of customer intelligence: what every model (churn, segments, value tiers,
 * lifetime value) sees of a customer, computed from the Profile 360 as of a given time. Training computes
 * it from a profile folded out of the events before a cut-off; scoring from the live profile; the same
 * function either way, so a model never sees a feature computed differently from the one it was fitted on.
 *
 * Pseudonymous by construction: counts, sums and durations only — no trait value is a feature.
 * Activity windows use the profile's recent-event window (its newest `recentEventLimit` events, 32 by
 * default), so a very active customer's 30-day count saturates there; that is a ceiling, not an error.
 */

export const CUSTOMER_FEATURES = [
  { name: 'recencyDays', description: 'days since the last purchase (since first seen when none)' },
  { name: 'frequency', description: 'purchases' },
  { name: 'monetary', description: 'spend in the scoring currency, major units' },
  { name: 'averageOrderValue', description: 'spend per purchase in the scoring currency, major units' },
  { name: 'tenureDays', description: 'days since first seen' },
  { name: 'inactiveDays', description: 'days since last seen (any event)' },
  { name: 'purchasesPerMonth', description: 'purchases per 30 days of tenure' },
  { name: 'activity30d', description: 'events in the last 30 days' },
  {
    name: 'activityTrend',
    description: 'events in the last 30 days minus the monthly average of the 60 days before',
  },
  { name: 'contacts', description: 'call-centre contacts' },
  { name: 'complaints', description: 'complaints' },
  { name: 'channelCount', description: 'distinct channels used' },
  { name: 'storeCount', description: 'distinct stores bought in' },
  { name: 'categoryCount', description: 'distinct product categories bought' },
] as const;

export type CustomerFeatureName = (typeof CUSTOMER_FEATURES)[number]['name'];
export type CustomerFeatures = Readonly<Record<CustomerFeatureName, number>>;

export const CUSTOMER_FEATURE_NAMES: readonly CustomerFeatureName[] = CUSTOMER_FEATURES.map((f) => f.name);

/** What the features read of a profile. */
export type FeatureSource = Pick<CustomerProfile, 'computed' | 'firstSeen' | 'lastSeen' | 'recentEvents'>;

const DAY_MS = 86_400_000;

const daysBetween = (from: string | undefined, to: number): number =>
  from === undefined ? 0 : Math.max(0, (to - Date.parse(from)) / DAY_MS);

const round = (x: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/**
 * Average spend per order in `currency` (major units, minor units assumed two decimals); undefined without
 * an order in it. The average order value of the features, and the Gamma-Gamma `zbar` of lifetime value.
 */
export const spendPerOrder = (computed: FeatureSource['computed'], currency: string): number | undefined => {
  const orders = ownValue(computed.purchasesByCurrency, currency) ?? 0;
  return orders > 0 ? (ownValue(computed.spend, currency) ?? 0) / 100 / orders : undefined;
};

/**
 * The features of one customer at `asOf` (ISO-8601). Money is read in `currency` (minor units → major,
 * assuming two decimals); other currencies are not converted and do not count.
 */
export const customerFeatures = (
  profile: FeatureSource,
  asOf: string,
  currency: string,
): CustomerFeatures => {
  const now = Date.parse(asOf);
  const c = profile.computed;
  const tenureDays = daysBetween(profile.firstSeen, now);
  const purchases = c.purchaseCount;
  const spend = (ownValue(c.spend, currency) ?? 0) / 100;
  let last30 = 0;
  let previous60 = 0;
  for (const e of profile.recentEvents) {
    const age = (now - Date.parse(e.occurredAt)) / DAY_MS;
    if (age < 0) continue;
    if (age <= 30) last30++;
    else if (age <= 90) previous60++;
  }
  return {
    recencyDays: round(c.lastPurchaseAt === undefined ? tenureDays : daysBetween(c.lastPurchaseAt, now)),
    frequency: purchases,
    monetary: round(spend),
    averageOrderValue: round(spendPerOrder(c, currency) ?? 0),
    tenureDays: round(tenureDays),
    inactiveDays: round(daysBetween(profile.lastSeen, now)),
    purchasesPerMonth: round(purchases / Math.max(1, tenureDays / 30), 4),
    activity30d: last30,
    activityTrend: round(last30 - previous60 / 2),
    contacts: c.contactCount,
    complaints: c.complaintCount,
    channelCount: c.channels.length,
    storeCount: c.stores.length,
    categoryCount: Object.keys(c.itemsByCategory).length,
  };
};
