import type { ProfileUpdatedV1 } from '../../../events/profile/profile-updated.v1.ts';
import { computedView } from './computed-traits.ts';
import type { CustomerProfile, ProfileTag } from './customer-profile.ts';

/** What changed in a profile, by name. Values stay in the profile. */
export type ProfileChanges = {
  /** Traits whose value changed (a newer copy of the same value is not a change). */
  readonly traits: readonly string[];
  /** Computed traits whose value changed, derived ones and first/last seen included. */
  readonly computed: readonly string[];
  readonly tagsAdded: readonly ProfileTag[];
  readonly tagsRemoved: readonly string[];
};

export const NO_CHANGES: ProfileChanges = { traits: [], computed: [], tagsAdded: [], tagsRemoved: [] };

export const hasChanges = (c: ProfileChanges): boolean =>
  c.traits.length + c.computed.length + c.tagsAdded.length + c.tagsRemoved.length > 0;

/** Structural equality of JSON-like values; key order does not matter. */
export const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  return (
    ak.length === bk.length &&
    ak.every(
      (k) =>
        Object.hasOwn(b, k) &&
        sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
};

const sortedKeys = (...records: object[]): string[] =>
  [...new Set(records.flatMap((r) => Object.keys(r)))].sort();

export const diffProfiles = (before: CustomerProfile, after: CustomerProfile): ProfileChanges => {
  const traits = sortedKeys(before.traits, after.traits).filter(
    (k) =>
      (Object.hasOwn(before.traits, k) ? before.traits[k]?.value : undefined) !==
      (Object.hasOwn(after.traits, k) ? after.traits[k]?.value : undefined),
  );
  const b: Record<string, unknown> = computedView(before);
  const a: Record<string, unknown> = computedView(after);
  const computed = sortedKeys(b, a).filter((k) => !sameValue(b[k], a[k]));
  const had = new Set(before.tags.map((t) => t.name));
  const has = new Set(after.tags.map((t) => t.name));
  return {
    traits,
    computed,
    tagsAdded: after.tags.filter((t) => !had.has(t.name)),
    tagsRemoved: before.tags.filter((t) => !has.has(t.name)).map((t) => t.name),
  };
};

export type ProfileUpdateCause =
  | { readonly kind: 'event'; readonly eventId: string; readonly occurredAt: string }
  | { readonly kind: 'merge'; readonly mergedCustomerIds: readonly string[]; readonly occurredAt: string }
  | { readonly kind: 'refresh' | 'rebuild' | 'edit'; readonly occurredAt: string };

/**
 * The ProfileUpdated v1 event for an update, or undefined when nothing changed (then nothing is emitted).
 * Carries names only: trait names, computed-trait names, tags.
 */
export const profileUpdatedEvent = (
  profile: CustomerProfile,
  changes: ProfileChanges,
  cause: ProfileUpdateCause,
): ProfileUpdatedV1 | undefined =>
  hasChanges(changes)
    ? {
        specVersion: '1',
        customerId: profile.customerId,
        version: profile.version,
        cause: cause.kind,
        ...(cause.kind === 'event' ? { eventId: cause.eventId } : {}),
        ...(cause.kind === 'merge' ? { mergedCustomerIds: [...cause.mergedCustomerIds] } : {}),
        changedTraits: [...changes.traits],
        changedComputed: [...changes.computed],
        tagsAdded: changes.tagsAdded.map((t) => ({ name: t.name, family: t.family, weight: t.weight })),
        tagsRemoved: [...changes.tagsRemoved],
        occurredAt: cause.occurredAt,
        updatedAt: profile.updatedAt,
      }
    : undefined;
