import type { Channel } from '../../../events/channel/channel-envelope.v1.ts';
import { TAG_FAMILIES } from '../../../events/profile/profile-updated.v1.ts';

/*
 * The Profile 360 model: what c360 knows about one resolved customer. Traits are what channels told us
 * (with where and when each value came from), computed traits are folded from their events, tags are rules
 * evaluated over both. Pure data: everything that changes a profile lives in profile.updater.ts.
 */

export type TraitValue = string | number | boolean;

/**
 * The source and channel of a value a person entered through the API (an agent's correction), as opposed
 * to one a channel sent. Its `eventId` is the edit's id (the API request id, also in the audit entry).
 */
export const MANUAL_SOURCE = 'manual';
/** Where a trait's value came through: a channel, or a manual edit. */
export type TraitChannel = Channel | typeof MANUAL_SOURCE;

/** One trait and its provenance; `occurredAt` (the event's or the edit's time) is its last-updated time. */
export type TraitEntry = {
  readonly value: TraitValue;
  readonly source: string;
  readonly channel: TraitChannel;
  readonly eventId: string;
  readonly occurredAt: string;
};

/**
 * Aggregates folded from events. Every field combines commutatively and associatively (sums, unions,
 * min/max), so the fold does not depend on arrival order and two profiles can be merged field by field.
 * Derived values (average order value, favourite category …) are not stored: see `computedView`.
 */
export type ComputedTraits = {
  /** Effective events (near-duplicate interactions excluded). */
  readonly eventCount: number;
  readonly purchaseCount: number;
  /** Spend in minor units per ISO-4217 currency: `{ CNY: 259800 }`. */
  readonly spend: Readonly<Record<string, number>>;
  readonly purchasesByCurrency: Readonly<Record<string, number>>;
  /** Quantity bought per product category. */
  readonly itemsByCategory: Readonly<Record<string, number>>;
  /** Quantity bought per SKU (what recommendations start from); absent on profiles stored before it existed. */
  readonly itemsBySku?: Readonly<Record<string, number>>;
  readonly firstPurchaseAt?: string;
  readonly lastPurchaseAt?: string;
  /** Effective call-centre contacts, and those flagged as complaints. */
  readonly contactCount: number;
  readonly complaintCount: number;
  /** Sorted sets. Identifier *types* only (`phone`, `custom:taobaoNick`), never values. */
  readonly channels: readonly Channel[];
  readonly stores: readonly string[];
  readonly identifierTypes: readonly string[];
};

export { TAG_FAMILIES };
export type TagFamily = (typeof TAG_FAMILIES)[number];

/**
 * A tag the profile carries: `since` is when it was (last) added. A computed tag comes and goes with its
 * rule; a `manual` one was added by a person and stays until a person removes it.
 */
export type ProfileTag = {
  readonly name: string;
  readonly family: TagFamily;
  readonly weight: number;
  readonly since: string;
  readonly manual?: true;
};

/** An event the profile already reflects, kept to recognise a redelivery (see `ProfileConfig`). */
export type RecentEvent = { readonly eventId: string; readonly occurredAt: string };

export type CustomerProfile = {
  readonly customerId: string;
  /** Incremented on every stored change; 0 for a profile that has seen nothing. */
  readonly version: number;
  readonly traits: Readonly<Record<string, TraitEntry>>;
  readonly computed: ComputedTraits;
  /** Sorted by name. */
  readonly tags: readonly ProfileTag[];
  /** Earliest and latest event time, near-duplicates included. */
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  /** The most recent events by (occurredAt, eventId), newest first. */
  readonly recentEvents: readonly RecentEvent[];
  readonly createdAt: string;
  readonly updatedAt: string;
};

export const EMPTY_COMPUTED: ComputedTraits = {
  eventCount: 0,
  purchaseCount: 0,
  spend: {},
  purchasesByCurrency: {},
  itemsByCategory: {},
  itemsBySku: {},
  contactCount: 0,
  complaintCount: 0,
  channels: [],
  stores: [],
  identifierTypes: [],
};

/** A profile that has seen nothing yet. */
export const emptyProfile = (customerId: string, now: string): CustomerProfile => ({
  customerId,
  version: 0,
  traits: {},
  computed: EMPTY_COMPUTED,
  tags: [],
  recentEvents: [],
  createdAt: now,
  updatedAt: now,
});

/**
 * A record's own value for `key`. Keys come from channel data, so `constructor` or `__proto__` must not
 * reach Object.prototype.
 */
export const ownValue = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;
