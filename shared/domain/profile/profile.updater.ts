import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import { combineComputed, computedView, contributionOf } from './computed-traits.ts';
import { type CustomerProfile, emptyProfile, type ProfileTag, type RecentEvent } from './customer-profile.ts';
import { diffProfiles, NO_CHANGES, type ProfileChanges, sameValue } from './profile-change.ts';
import {
  BUILT_IN_TAGS,
  type CompiledTag,
  compileTags,
  evaluateTags,
  type TagDefinition,
} from './tag-rules.ts';
import {
  DEFAULT_SOURCE_PRECEDENCE,
  mergeTraits,
  type SourcePrecedence,
  traitCandidates,
} from './trait-precedence.rule.ts';

/*
 * Folding cleaned events into a Profile 360. Pure: the clock (`now`, ISO-8601) and the configuration are
 * inputs. Traits (precedence), computed traits (a commutative monoid) and first/last seen are all
 * order-independent, so out-of-order delivery gives the same profile as in-order delivery.
 *
 * Assumption: the caller applies each event id at most once (the repository de-duplicates). Computed
 * counts are not idempotent, so a redelivery the repository missed would count twice. As a second guard,
 * the profile remembers its `recentEventLimit` most recent events (by occurredAt, then id — also
 * order-independent) and answers `duplicate` for any of them; an older redelivery is not recognised.
 */

export type ProfileConfig = {
  readonly precedence: SourcePrecedence;
  readonly tags: readonly CompiledTag[];
  readonly recentEventLimit: number;
};

/** A configuration with its tag rules validated; throws TagRuleError for a bad definition. */
export const createProfileConfig = (
  options: {
    readonly precedence?: SourcePrecedence;
    readonly tags?: readonly TagDefinition[];
    readonly recentEventLimit?: number;
  } = {},
): ProfileConfig => ({
  precedence: options.precedence ?? DEFAULT_SOURCE_PRECEDENCE,
  tags: compileTags(options.tags ?? BUILT_IN_TAGS),
  recentEventLimit: Math.max(0, Math.floor(options.recentEventLimit ?? 32)),
});

export const DEFAULT_PROFILE_CONFIG: ProfileConfig = createProfileConfig();

/**
 * `duplicate`: the event is one of the profile's recent events. `unchanged`: nothing to store.
 * `updated`: store `profile` (its version is one more). Emit ProfileUpdated only when `changes` is not empty:
 * an update can refresh provenance or the recent-event window without changing any value.
 */
export type ProfileUpdate = {
  readonly kind: 'duplicate' | 'unchanged' | 'updated';
  readonly profile: CustomerProfile;
  readonly changes: ProfileChanges;
};

const earliest = (a: string | undefined, b: string | undefined) =>
  a === undefined || (b !== undefined && b < a) ? b : a;
const latest = (a: string | undefined, b: string | undefined) =>
  a === undefined || (b !== undefined && b > a) ? b : a;

/** The `limit` most recent of both lists, newest first: the same whatever order they were seen in. */
const recentOf = (
  a: readonly RecentEvent[],
  b: readonly RecentEvent[],
  limit: number,
): readonly RecentEvent[] => {
  const byId = new Map([...a, ...b].map((r) => [r.eventId, r]));
  return [...byId.values()]
    .sort((x, y) =>
      x.occurredAt === y.occurredAt ? (x.eventId < y.eventId ? 1 : -1) : x.occurredAt < y.occurredAt ? 1 : -1,
    )
    .slice(0, limit);
};

const seen = (firstSeen: string | undefined, lastSeen: string | undefined) => ({
  ...(firstSeen === undefined ? {} : { firstSeen }),
  ...(lastSeen === undefined ? {} : { lastSeen }),
});

/**
 * Re-evaluates the tags of `next` and compares it with `before`: the same stored state is `unchanged`
 * (and `before` is returned as is); otherwise the version goes up by one.
 */
const settle = (
  before: CustomerProfile,
  next: CustomerProfile,
  config: ProfileConfig,
  now: string,
  previousTags: readonly ProfileTag[] = before.tags,
): ProfileUpdate => {
  const tags = evaluateTags(
    config.tags,
    { traits: next.traits, computed: computedView(next), now },
    previousTags,
  );
  const candidate = { ...next, tags };
  const stored = (p: CustomerProfile) => [
    p.traits,
    p.computed,
    p.tags,
    p.firstSeen,
    p.lastSeen,
    p.recentEvents,
  ];
  if (sameValue(stored(before), stored(candidate)))
    return { kind: 'unchanged', profile: before, changes: NO_CHANGES };
  const profile = { ...candidate, version: before.version + 1, updatedAt: now };
  return { kind: 'updated', profile, changes: diffProfiles(before, profile) };
};

/**
 * Folds one cleaned event into a customer's profile: `current` is the stored profile, or the customer's id
 * when there is none yet.
 */
export const applyEvent = (
  current: CustomerProfile | string,
  event: CleanedEventV1,
  config: ProfileConfig,
  now: string,
): ProfileUpdate => {
  const before = typeof current === 'string' ? emptyProfile(current, now) : current;
  if (before.recentEvents.some((r) => r.eventId === event.eventId))
    return { kind: 'duplicate', profile: before, changes: NO_CHANGES };
  return settle(
    before,
    {
      ...before,
      traits: mergeTraits(config.precedence, before.traits, traitCandidates(event)),
      computed: combineComputed(before.computed, contributionOf(event)),
      ...seen(earliest(before.firstSeen, event.occurredAt), latest(before.lastSeen, event.occurredAt)),
      recentEvents: recentOf(
        before.recentEvents,
        [{ eventId: event.eventId, occurredAt: event.occurredAt }],
        config.recentEventLimit,
      ),
    },
    config,
    now,
  );
};

/**
 * Combines the profile of a customer absorbed by a merge into the survivor's: trait precedence picks each
 * trait, computed traits add up (each event belongs to one customer, so nothing is counted twice), tags are
 * re-evaluated and keep the earlier `since` of either side.
 */
export const mergeProfiles = (
  survivor: CustomerProfile,
  absorbed: CustomerProfile,
  config: ProfileConfig,
  now: string,
): ProfileUpdate =>
  settle(
    survivor,
    {
      ...survivor,
      traits: mergeTraits(config.precedence, survivor.traits, absorbed.traits),
      computed: combineComputed(survivor.computed, absorbed.computed),
      ...seen(earliest(survivor.firstSeen, absorbed.firstSeen), latest(survivor.lastSeen, absorbed.lastSeen)),
      recentEvents: recentOf(survivor.recentEvents, absorbed.recentEvents, config.recentEventLimit),
      createdAt: earliest(survivor.createdAt, absorbed.createdAt) ?? survivor.createdAt,
    },
    config,
    now,
    [...survivor.tags, ...absorbed.tags].sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0)),
  );

/**
 * The profile folded from scratch out of a customer's event history: the reliable path after an unmerge
 * or a rule change. Events are de-duplicated by id. With `previous` (the stored profile), the result
 * continues its version, keeps the `since` of tags it still has, and lists the changes against it.
 */
export const rebuildProfile = (
  customerId: string,
  events: readonly CleanedEventV1[],
  config: ProfileConfig,
  now: string,
  previous?: CustomerProfile,
): ProfileUpdate => {
  const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
  let traits: CustomerProfile['traits'] = {};
  let computed = emptyProfile(customerId, now).computed;
  let firstSeen: string | undefined;
  let lastSeen: string | undefined;
  for (const event of unique) {
    traits = mergeTraits(config.precedence, traits, traitCandidates(event));
    computed = combineComputed(computed, contributionOf(event));
    firstSeen = earliest(firstSeen, event.occurredAt);
    lastSeen = latest(lastSeen, event.occurredAt);
  }
  const before = previous ?? emptyProfile(customerId, now);
  const { firstSeen: _f, lastSeen: _l, ...rest } = before;
  return settle(
    before,
    {
      ...rest,
      traits,
      computed,
      ...seen(firstSeen, lastSeen),
      recentEvents: recentOf(
        [],
        unique.map((e) => ({ eventId: e.eventId, occurredAt: e.occurredAt })),
        config.recentEventLimit,
      ),
    },
    config,
    now,
  );
};

/**
 * Re-evaluates tags against the clock alone (a scheduled job: recency-based tags lapse without any event).
 */
export const refreshTags = (profile: CustomerProfile, config: ProfileConfig, now: string): ProfileUpdate =>
  settle(profile, profile, config, now);
