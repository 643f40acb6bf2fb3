import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import { combineComputed, computedView, contributionOf } from './computed-traits.ts';
import {
  type CustomerProfile,
  emptyProfile,
  MANUAL_SOURCE,
  type ProfileTag,
  type RecentEvent,
  type TraitEntry,
  type TraitValue,
} from './customer-profile.ts';
import { diffProfiles, NO_CHANGES, type ProfileChanges, sameValue } from './profile-change.ts';
import {
  BUILT_IN_TAGS,
  type CompiledTag,
  compileTags,
  evaluateTags,
  type TagDefinition,
} from './tag-rules.ts';
import {
  compareTraitEntries,
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

const byName = (a: ProfileTag, b: ProfileTag) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const bySince = (tags: readonly ProfileTag[]): ProfileTag[] =>
  [...tags].sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));

/** The traits a person entered by hand: no event carries them, so a rebuild starts from them. */
const manualTraitsOf = (traits: CustomerProfile['traits']): CustomerProfile['traits'] =>
  Object.fromEntries(Object.entries(traits).filter(([, t]) => t.channel === MANUAL_SOURCE));

/**
 * The manual tags among `tags`, one per name (the first listed wins), leaving out names a tag rule owns:
 * a rule decides its own tag.
 */
const manualTagsOf = (tags: readonly ProfileTag[], config: ProfileConfig): ProfileTag[] => {
  const ruled = new Set(config.tags.map((t) => t.name));
  const kept = new Map<string, ProfileTag>();
  for (const t of tags) if (t.manual === true && !ruled.has(t.name) && !kept.has(t.name)) kept.set(t.name, t);
  return [...kept.values()];
};

/**
 * Re-evaluates the computed tags of `next`, keeps its manual tags, and compares it with `before`: the same
 * stored state is `unchanged` (and `before` is returned as is); otherwise the version goes up by one.
 */
const settle = (
  before: CustomerProfile,
  next: CustomerProfile,
  config: ProfileConfig,
  now: string,
  previousTags: readonly ProfileTag[] = before.tags,
): ProfileUpdate => {
  const computedTags = evaluateTags(
    config.tags,
    { traits: next.traits, computed: computedView(next), now },
    previousTags,
  );
  const tags = [...computedTags, ...manualTagsOf(next.tags, config)].sort(byName);
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
      // Manual tags of both sides stay, each with the earlier `since` (settle keeps the first of a name).
      tags: bySince([...survivor.tags, ...absorbed.tags]),
    },
    config,
    now,
    bySince([...survivor.tags, ...absorbed.tags]),
  );

/**
 * The profile folded from scratch out of a customer's event history: the reliable path after an unmerge
 * or a rule change. Events are de-duplicated by id. With `previous` (the stored profile), the result
 * continues its version, keeps the `since` of tags it still has, keeps its manual edits (traits entered by
 * hand compete with the events' values by precedence again; manual tags stay), and lists the changes
 * against it.
 */
export const rebuildProfile = (
  customerId: string,
  events: readonly CleanedEventV1[],
  config: ProfileConfig,
  now: string,
  previous?: CustomerProfile,
): ProfileUpdate => {
  const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
  let traits: CustomerProfile['traits'] = previous ? manualTraitsOf(previous.traits) : {};
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

/** Manual tags are asserted by a person: facts about the customer, as far as scoring is concerned. */
export const MANUAL_TAG = { family: 'basic', weight: 1 } as const satisfies Pick<
  ProfileTag,
  'family' | 'weight'
>;
/** At most this many manual tags per profile. */
export const MAX_MANUAL_TAGS = 64;

/**
 * A person's change to a profile (an agent's correction, a tag from sales). `traits` are standardised
 * already (see profile-edit.ts); `editId` identifies the edit in each trait's provenance.
 */
export type ManualEdit = {
  readonly editId: string;
  readonly traits: Readonly<Record<string, TraitValue>>;
  readonly addTags: readonly string[];
  readonly removeTags: readonly string[];
};

/**
 * `outranked`: a trait is held by a source the precedence ranks above manual edits for it (see
 * `SourcePrecedence.overrides`). `computed-tag`: a tag a rule decides. `too-many-tags`: over
 * {@link MAX_MANUAL_TAGS}. Nothing of a refused edit is applied.
 */
export type ManualEditRefusal = {
  readonly kind: 'refused';
  readonly reason: 'outranked' | 'computed-tag' | 'too-many-tags';
  readonly field: string;
  readonly detail: string;
};

/**
 * Applies a person's edit at `now`, all or nothing. Each trait is a candidate from the `manual` source at
 * `now`, offered by the same precedence as channel values (by default it wins over every channel, and over
 * an earlier manual edit). A value equal to the one held is no change (its provenance stays). Manual tags
 * are added (`since` now) or removed; a tag a rule owns can be neither. `unchanged` when nothing changed.
 */
export const applyManualEdit = (
  profile: CustomerProfile,
  edit: ManualEdit,
  config: ProfileConfig,
  now: string,
): ProfileUpdate | ManualEditRefusal => {
  const candidates: [string, TraitEntry][] = [];
  for (const [name, value] of Object.entries(edit.traits)) {
    const held = Object.hasOwn(profile.traits, name) ? profile.traits[name] : undefined;
    if (held?.value === value) continue;
    const candidate: TraitEntry = {
      value,
      source: MANUAL_SOURCE,
      channel: MANUAL_SOURCE,
      eventId: edit.editId,
      occurredAt: now,
    };
    if (held && compareTraitEntries(config.precedence, name, candidate, held) >= 0)
      return {
        kind: 'refused',
        reason: 'outranked',
        field: name,
        detail: `${name} is held by ${held.source}, which the precedence ranks above manual edits`,
      };
    candidates.push([name, candidate]);
  }
  const ruled = new Set(config.tags.map((t) => t.name));
  const ruledTag = [...edit.addTags, ...edit.removeTags].find((t) => ruled.has(t));
  if (ruledTag !== undefined)
    return {
      kind: 'refused',
      reason: 'computed-tag',
      field: `tags.${ruledTag}`,
      detail: `${ruledTag} is a computed tag: its rule decides it`,
    };
  const removed = new Set(edit.removeTags);
  const kept = profile.tags.filter((t) => !(t.manual === true && removed.has(t.name)));
  const has = new Set(kept.filter((t) => t.manual === true).map((t) => t.name));
  const added = [...new Set(edit.addTags)]
    .filter((name) => !has.has(name))
    .map((name): ProfileTag => ({ name, ...MANUAL_TAG, since: now, manual: true }));
  if (has.size + added.length > MAX_MANUAL_TAGS)
    return {
      kind: 'refused',
      reason: 'too-many-tags',
      field: 'tags',
      detail: `a profile carries at most ${MAX_MANUAL_TAGS} manual tags`,
    };
  return settle(
    profile,
    {
      ...profile,
      // Spread, never `traits[name] =`: a trait named `constructor` must stay an own property.
      traits:
        candidates.length === 0 ? profile.traits : { ...profile.traits, ...Object.fromEntries(candidates) },
      tags: [...kept, ...added],
    },
    config,
    now,
  );
};
