import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TraitEntry } from '../../../../shared/domain/profile/customer-profile.ts';
import {
  compareTraitEntries,
  DEFAULT_SOURCE_PRECEDENCE,
  mergeTraits,
  type SourcePrecedence,
  sourceRank,
  traitCandidates,
} from '../../../../shared/domain/profile/trait-precedence.rule.ts';
import { day, eventsArbitrary, purchase } from './profile-events.helper.ts';

const entry = (over: Partial<TraitEntry>): TraitEntry => ({
  value: '上海',
  source: 'pos-shanghai',
  channel: 'pos',
  eventId: 'e-1',
  occurredAt: day(0),
  ...over,
});
const P = DEFAULT_SOURCE_PRECEDENCE;
const offer = (held: Record<string, TraitEntry>, name: string, candidate: TraitEntry) =>
  mergeTraits(P, held, Object.fromEntries([[name, candidate]]))[name];

describe('Domain: trait precedence', () => {
  it('ranks a source by its name or name prefix first, then by its channel, and an unknown one lowest', () => {
    expect(sourceRank(P, 'city', 'crm', 'import')).toBe(1);
    expect(sourceRank(P, 'city', 'crm-salesforce', 'import')).toBe(1);
    expect(sourceRank(P, 'city', 'pos-shanghai', 'pos')).toBe(2);
    expect(sourceRank(P, 'city', 'collect-api', 'web')).toBe(6);
    // `crmx` is not `crm-…`: it falls back to its channel, which ranks nothing here.
    expect(sourceRank(P, 'city', 'crmx', 'third-party')).toBe(P.ranking.length);
  });

  it('lets a higher-ranked source win even with an older value', () => {
    const held = {
      city: entry({ source: 'collect-api', channel: 'web', occurredAt: day(5), value: '杭州' }),
    };

    expect(offer(held, 'city', entry({ occurredAt: day(1) }))?.value).toBe('上海');
  });

  it('lets the later value win between equal ranks, and never an older one over a newer one', () => {
    const newer = entry({ occurredAt: day(5), value: '杭州', eventId: 'e-2' });

    expect(offer({ city: entry({}) }, 'city', newer)?.value).toBe('杭州');
    expect(offer({ city: newer }, 'city', entry({}))?.value).toBe('杭州');
  });

  it('breaks a tie of rank and time by the larger event id, whichever arrives first', () => {
    const a = entry({ eventId: 'e-a', value: 'A' });
    const b = entry({ eventId: 'e-b', value: 'B' });

    expect(offer({ city: a }, 'city', b)?.value).toBe('B');
    expect(offer({ city: b }, 'city', a)?.value).toBe('B');
  });

  it('applies a per-trait override instead of the ranking', () => {
    const precedence: SourcePrecedence = { ranking: ['crm', 'pos', 'web'], overrides: { birthday: ['web'] } };
    const fromWeb = entry({ source: 'collect-api', channel: 'web' });
    const fromCrm = entry({ source: 'crm', channel: 'import' });

    expect(compareTraitEntries(precedence, 'birthday', fromWeb, fromCrm)).toBeLessThan(0);
    expect(compareTraitEntries(precedence, 'city', fromWeb, fromCrm)).toBeGreaterThan(0);
  });

  it('keeps the record unchanged (same object) when no candidate wins', () => {
    const held = { city: entry({ occurredAt: day(5) }) };

    expect(mergeTraits(P, held, { city: entry({}) })).toBe(held);
  });

  it('keeps a trait named like an Object.prototype member as an ordinary trait', () => {
    const traits = mergeTraits(P, {}, JSON.parse('{"__proto__": {"value": 1}, "constructor": {"value": 2}}'));

    expect(Object.keys(traits).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(traits)).toBe(Object.prototype);
  });

  it('gives the same traits whatever order events arrive in, and offering them again changes nothing', () => {
    fc.assert(
      fc.property(
        eventsArbitrary().chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
          ),
        ),
        ([events, shuffled]) => {
          const fold = (list: typeof events) =>
            list.reduce((traits, e) => mergeTraits(P, traits, traitCandidates(e)), {});
          const traits = fold(events);

          expect(fold(shuffled)).toEqual(traits);
          for (const e of events) expect(mergeTraits(P, traits, traitCandidates(e))).toBe(traits);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('carries the provenance of the event into each candidate', () => {
    const e = purchase({ eventId: 'p-1', occurredAt: day(2), traits: { city: '上海' } });

    expect(traitCandidates(e)).toEqual({
      city: { value: '上海', source: 'pos-shanghai', channel: 'pos', eventId: 'p-1', occurredAt: day(2) },
    });
  });
});
