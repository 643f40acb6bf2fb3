import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import { type ComputedTraits, type CustomerProfile, EMPTY_COMPUTED, ownValue } from './customer-profile.ts';

/*
 * Computed traits as a commutative monoid: `contributionOf(event)` is what one event adds, `combineComputed`
 * adds two together, EMPTY_COMPUTED is the identity. Folding events in any order, or merging two customers'
 * profiles, gives the same result. Not idempotent: the caller applies each event id at most once.
 *
 * What counts: only effective events add to counts and sums (a near-duplicate interaction was already
 * counted); every event adds its channel and identifier types, and moves first/last seen.
 * Purchases are `pos.purchase` events only; web orders arrive as Segment `track` calls whose amounts are in
 * major units of unknown precision and are not counted (yet).
 */

const addCounts = (
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): Readonly<Record<string, number>> => {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return Object.fromEntries(keys.map((k) => [k, (ownValue(a, k) ?? 0) + (ownValue(b, k) ?? 0)]));
};
const union = <T extends string>(a: readonly T[], b: readonly T[]): readonly T[] =>
  b.every((x) => a.includes(x)) ? a : [...new Set([...a, ...b])].sort();
const earliest = (a: string | undefined, b: string | undefined) =>
  a === undefined || (b !== undefined && b < a) ? b : a;
const latest = (a: string | undefined, b: string | undefined) =>
  a === undefined || (b !== undefined && b > a) ? b : a;

/** Sums, unions and min/max, field by field. */
export const combineComputed = (a: ComputedTraits, b: ComputedTraits): ComputedTraits => {
  const firstPurchaseAt = earliest(a.firstPurchaseAt, b.firstPurchaseAt);
  const lastPurchaseAt = latest(a.lastPurchaseAt, b.lastPurchaseAt);
  return {
    eventCount: a.eventCount + b.eventCount,
    purchaseCount: a.purchaseCount + b.purchaseCount,
    spend: addCounts(a.spend, b.spend),
    purchasesByCurrency: addCounts(a.purchasesByCurrency, b.purchasesByCurrency),
    itemsByCategory: addCounts(a.itemsByCategory, b.itemsByCategory),
    itemsBySku: addCounts(a.itemsBySku ?? {}, b.itemsBySku ?? {}),
    ...(firstPurchaseAt === undefined ? {} : { firstPurchaseAt }),
    ...(lastPurchaseAt === undefined ? {} : { lastPurchaseAt }),
    contactCount: a.contactCount + b.contactCount,
    complaintCount: a.complaintCount + b.complaintCount,
    channels: union(a.channels, b.channels),
    stores: union(a.stores, b.stores),
    identifierTypes: union(a.identifierTypes, b.identifierTypes),
  };
};

/** What one event adds to the computed traits. */
export const contributionOf = (event: CleanedEventV1): ComputedTraits => {
  const seen: ComputedTraits = {
    ...EMPTY_COMPUTED,
    channels: [event.channel],
    identifierTypes: [...new Set(event.identities.map((i) => i.type))].sort(),
  };
  if (!event.effective) return seen;
  const counted = { ...seen, eventCount: 1 };
  switch (event.type) {
    case 'pos.purchase': {
      const { total, items, storeId } = event.payload;
      const categories = new Map<string, number>();
      const skus = new Map<string, number>();
      for (const item of items) {
        if (item.category !== undefined)
          categories.set(item.category, (categories.get(item.category) ?? 0) + item.quantity);
        skus.set(item.sku, (skus.get(item.sku) ?? 0) + item.quantity);
      }
      return {
        ...counted,
        purchaseCount: 1,
        spend: Object.fromEntries([[total.currency, total.minor]]),
        purchasesByCurrency: Object.fromEntries([[total.currency, 1]]),
        itemsByCategory: Object.fromEntries(categories),
        itemsBySku: Object.fromEntries(skus),
        firstPurchaseAt: event.occurredAt,
        lastPurchaseAt: event.occurredAt,
        stores: [storeId],
      };
    }
    case 'call-centre.contact':
      return { ...counted, contactCount: 1, complaintCount: event.payload.complaint === true ? 1 : 0 };
    default:
      return counted;
  }
};

/** The computed traits as rules and change detection see them: stored fields, plus derived ones. */
export type ComputedView = ComputedTraits & {
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  /** Per currency, minor units, rounded half up. */
  readonly averageOrderValue: Readonly<Record<string, number>>;
  /** The category with most items bought; ties go to the smallest name (code-unit order). */
  readonly favouriteCategory?: string;
  readonly distinctStores: number;
};

/** The type of each `computed.<name>` path, for the rule checker; `satisfies` keeps it complete. */
export const COMPUTED_FIELD_TYPES = {
  eventCount: 'number',
  purchaseCount: 'number',
  spend: 'number-map',
  purchasesByCurrency: 'number-map',
  itemsByCategory: 'number-map',
  itemsBySku: 'number-map',
  firstPurchaseAt: 'time',
  lastPurchaseAt: 'time',
  contactCount: 'number',
  complaintCount: 'number',
  channels: 'list',
  stores: 'list',
  identifierTypes: 'list',
  firstSeen: 'time',
  lastSeen: 'time',
  averageOrderValue: 'number-map',
  favouriteCategory: 'string',
  distinctStores: 'number',
} as const satisfies Record<keyof ComputedView, 'number' | 'number-map' | 'time' | 'list' | 'string'>;

const favourite = (items: Readonly<Record<string, number>>): string | undefined => {
  let best: [string, number] | undefined;
  for (const [category, quantity] of Object.entries(items))
    if (best === undefined || quantity > best[1] || (quantity === best[1] && category < best[0]))
      best = [category, quantity];
  return best?.[0];
};

export const computedView = (
  profile: Pick<CustomerProfile, 'computed' | 'firstSeen' | 'lastSeen'>,
): ComputedView => {
  const c = profile.computed;
  const favouriteCategory = favourite(c.itemsByCategory);
  return {
    ...c,
    ...(profile.firstSeen === undefined ? {} : { firstSeen: profile.firstSeen }),
    ...(profile.lastSeen === undefined ? {} : { lastSeen: profile.lastSeen }),
    averageOrderValue: Object.fromEntries(
      Object.entries(c.spend).map(([currency, minor]) => {
        const orders = ownValue(c.purchasesByCurrency, currency) ?? 0;
        return [currency, orders > 0 ? Math.round(minor / orders) : 0];
      }),
    ),
    ...(favouriteCategory === undefined ? {} : { favouriteCategory }),
    distinctStores: c.stores.length,
  };
};
