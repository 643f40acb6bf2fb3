import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import { MANUAL_SOURCE, ownValue, type TraitEntry } from './customer-profile.ts';

/**
 * Which source's value of a trait wins. Sources are ranked highest first; an entry matches an event whose
 * `source` equals it or starts with `<entry>-` (`pos` matches `pos-shanghai`), otherwise the event's
 * channel (`web` matches anything the collect API sends). A source matching nothing ranks lowest.
 * `overrides` replaces the ranking for single traits, e.g. `{ birthday: ['crm'] }`. The entry `manual`
 * matches manual edits only (their channel is `manual`, which no channel can send), so a channel whose
 * source is named `manual-…` cannot pass for an agent's correction.
 */
export type SourcePrecedence = {
  readonly ranking: readonly string[];
  readonly overrides: Readonly<Record<string, readonly string[]>>;
};

/**
 * A manual edit (`manual`: an agent's correction through the API) outranks every channel, a CRM export
 * included: a later channel event does not silently undo it, and only a later manual edit replaces it. A
 * deployment that wants a channel to win for a trait says so in `overrides`, e.g.
 * `{ email: ['app', 'manual', 'crm', …] }`.
 */
export const DEFAULT_SOURCE_PRECEDENCE: SourcePrecedence = {
  ranking: ['manual', 'crm', 'pos', 'call-centre', 'app', 'mini-program', 'web'],
  overrides: {},
};

/** 0 is the strongest; the ranking's length for a source it does not know. */
export const sourceRank = (
  precedence: SourcePrecedence,
  trait: string,
  source: string,
  channel: string,
): number => {
  const ranking = ownValue(precedence.overrides, trait) ?? precedence.ranking;
  const manual = channel === MANUAL_SOURCE;
  const bySource = ranking.findIndex((entry) =>
    entry === MANUAL_SOURCE || manual
      ? entry === MANUAL_SOURCE && manual
      : source === entry || source.startsWith(`${entry}-`),
  );
  if (bySource >= 0) return bySource;
  if (manual) return ranking.length;
  const byChannel = ranking.indexOf(channel);
  return byChannel >= 0 ? byChannel : ranking.length;
};

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const valueKey = (v: TraitEntry['value']): string => `${typeof v}:${String(v)}`;

/**
 * Negative when `a` wins over `b`: the higher-ranked source, then the later event, then the larger event id,
 * then the value (only two copies of one event can get that far). A total order, so picking the winner
 * of a set of candidates is independent of the order they arrive in.
 */
export const compareTraitEntries = (
  precedence: SourcePrecedence,
  trait: string,
  a: TraitEntry,
  b: TraitEntry,
): number =>
  sourceRank(precedence, trait, a.source, a.channel) - sourceRank(precedence, trait, b.source, b.channel) ||
  compareStrings(b.occurredAt, a.occurredAt) ||
  compareStrings(b.eventId, a.eventId) ||
  compareStrings(valueKey(b.value), valueKey(a.value));

/** The traits after offering `candidates`: each replaces the held value only if it wins over it. */
export const mergeTraits = (
  precedence: SourcePrecedence,
  current: Readonly<Record<string, TraitEntry>>,
  candidates: Readonly<Record<string, TraitEntry>>,
): Readonly<Record<string, TraitEntry>> => {
  const winners: [string, TraitEntry][] = [];
  for (const [name, candidate] of Object.entries(candidates)) {
    const held = ownValue(current, name);
    if (held === undefined || compareTraitEntries(precedence, name, candidate, held) < 0)
      winners.push([name, candidate]);
  }
  // Spread, never `out[name] =`: a trait named `__proto__` must stay an own property.
  return winners.length === 0 ? current : { ...current, ...Object.fromEntries(winners) };
};

/** An event's traits as candidates, each carrying the event's provenance. */
export const traitCandidates = (event: CleanedEventV1): Readonly<Record<string, TraitEntry>> =>
  Object.fromEntries(
    Object.entries(event.traits).map(([name, value]) => [
      name,
      {
        value,
        source: event.source,
        channel: event.channel,
        eventId: event.eventId,
        occurredAt: event.occurredAt,
      },
    ]),
  );
