import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import { ownValue, type TraitEntry } from './customer-profile.ts';

/**
 * Which source's value of a trait wins. Sources are ranked highest first; an entry matches an event whose
 * `source` equals it or starts with `<entry>-` (`pos` matches `pos-shanghai`), otherwise the event's
 * channel (`web` matches anything the collect API sends). A source matching nothing ranks lowest.
 * `overrides` replaces the ranking for single traits, e.g. `{ birthday: ['crm'] }`.
 */
export type SourcePrecedence = {
  readonly ranking: readonly string[];
  readonly overrides: Readonly<Record<string, readonly string[]>>;
};

export const DEFAULT_SOURCE_PRECEDENCE: SourcePrecedence = {
  ranking: ['crm', 'pos', 'call-centre', 'app', 'mini-program', 'web'],
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
  const bySource = ranking.findIndex((entry) => source === entry || source.startsWith(`${entry}-`));
  if (bySource >= 0) return bySource;
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
