import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CleanedEventV1 } from '../../../../events/cleaning/cleaned-event.v1.ts';
import { validCleanedEvents } from '../../../../events/fixtures/cleaned-event.v1.fixture.ts';
import { parseProfileUpdated } from '../../../../events/profile/profile-updated.v1.ts';
import { type CustomerProfile, emptyProfile } from '../../../../shared/domain/profile/customer-profile.ts';
import {
  applyEvent,
  createProfileConfig,
  DEFAULT_PROFILE_CONFIG,
  mergeProfiles,
  type ProfileConfig,
  rebuildProfile,
  refreshTags,
} from '../../../../shared/domain/profile/profile.updater.ts';
import { profileUpdatedEvent } from '../../../../shared/domain/profile/profile-change.ts';
import { appEvent, contact, content, day, eventsArbitrary, purchase } from './profile-events.helper.ts';

const C = DEFAULT_PROFILE_CONFIG;
const fold = (events: readonly CleanedEventV1[], config: ProfileConfig = C, now = day(10)): CustomerProfile =>
  events.reduce((p, e) => applyEvent(p, e, config, now).profile, emptyProfile('cus_1', now));
const shuffledPair = (max?: number) =>
  eventsArbitrary(max).chain((events) =>
    fc.tuple(
      fc.constant(events),
      fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
    ),
  );

describe('Domain: profile updates', () => {
  it('creates a profile from its first event, with every change listed', () => {
    const e = purchase({
      eventId: 'p1',
      occurredAt: day(1),
      traits: { name: '张伟', city: '上海' },
      items: [['配饰', 2]],
    });

    const update = applyEvent('cus_1', e, C, day(2));

    expect(update.kind).toBe('updated');
    expect(update.profile).toMatchObject({
      customerId: 'cus_1',
      version: 1,
      traits: {
        city: { value: '上海', source: 'pos-shanghai', channel: 'pos', eventId: 'p1', occurredAt: day(1) },
      },
      computed: { eventCount: 1, purchaseCount: 1, spend: { CNY: 10_000 } },
      tags: [{ name: 'has-phone', family: 'basic', weight: 1, since: day(2) }],
      firstSeen: day(1),
      lastSeen: day(1),
      createdAt: day(2),
      updatedAt: day(2),
    });
    expect(update.changes.traits).toEqual(['city', 'name']);
    expect(update.changes.computed).toEqual(
      expect.arrayContaining(['eventCount', 'favouriteCategory', 'firstSeen', 'lastSeen', 'spend']),
    );
    expect(update.changes.tagsAdded.map((t) => t.name)).toEqual(['has-phone']);
  });

  it('does not let an older event overwrite a newer value from the same source, but still counts it', () => {
    const newer = purchase({ eventId: 'p2', occurredAt: day(5), traits: { city: '杭州' } });
    const older = purchase({ eventId: 'p1', occurredAt: day(1), traits: { city: '上海' } });

    const update = applyEvent(fold([newer]), older, C, day(10));

    expect(update.profile.traits.city?.value).toBe('杭州');
    expect(update.profile.computed.purchaseCount).toBe(2);
    expect(update.changes.traits).toEqual([]);
    expect(update.changes.computed).toEqual(expect.arrayContaining(['firstSeen', 'purchaseCount']));
  });

  it('answers duplicate for an event it already reflects, and changes nothing', () => {
    const e = purchase({ eventId: 'p1', occurredAt: day(1) });
    const profile = fold([e]);

    expect(applyEvent(profile, e, C, day(11))).toEqual({
      kind: 'duplicate',
      profile,
      changes: { traits: [], computed: [], tagsAdded: [], tagsRemoved: [] },
    });
  });

  it('uses a near-duplicate event for last seen and traits, not for counts', () => {
    const first = contact({ eventId: 'c1', occurredAt: day(1), complaint: true });
    const repeat = contact({
      eventId: 'c2',
      occurredAt: day(3),
      complaint: true,
      effective: false,
      traits: { language: 'zh-CN' },
    });

    const update = applyEvent(fold([first]), repeat, C, day(10));

    expect(update.profile.computed).toMatchObject({ eventCount: 1, contactCount: 1, complaintCount: 1 });
    expect(update.profile.lastSeen).toBe(day(3));
    expect(update.changes).toMatchObject({ traits: ['language'], computed: ['lastSeen'] });
  });

  it('reports no change, so emits nothing, for an event that adds nothing; stores only what needs storing', () => {
    const profile = fold([
      appEvent({ eventId: 'a1', occurredAt: day(1), traits: { city: '上海' } }),
      appEvent({ eventId: 'a2', occurredAt: day(5) }),
    ]);
    const nothingNew = appEvent({
      eventId: 'a0',
      occurredAt: day(3),
      effective: false,
      traits: { city: '上海' },
    });

    // The event is remembered (so a redelivery is recognised), and it refreshes the city's provenance.
    const remembered = applyEvent(profile, nothingNew, C, day(10));
    expect(remembered.kind).toBe('updated');
    expect(remembered.profile.version).toBe(profile.version + 1);
    expect(remembered.profile.traits.city?.eventId).toBe('a0');
    expect(remembered.changes).toEqual({ traits: [], computed: [], tagsAdded: [], tagsRemoved: [] });
    expect(
      profileUpdatedEvent(remembered.profile, remembered.changes, {
        kind: 'event',
        eventId: 'a0',
        occurredAt: day(3),
      }),
    ).toBeUndefined();

    // Without an event window and with nothing newer, there is nothing to store at all.
    const windowless = createProfileConfig({ recentEventLimit: 0 });
    const stale = appEvent({
      eventId: 'a-1',
      occurredAt: day(0.5),
      effective: false,
      traits: { city: '上海' },
    });
    const base = fold(
      [appEvent({ eventId: 'a1', occurredAt: day(0.5), traits: { city: '上海' } })],
      windowless,
    );
    expect(applyEvent(base, stale, windowless, day(10))).toMatchObject({ kind: 'unchanged', profile: base });
  });

  it('gives the same profile whatever order the events arrive in, and the same as a rebuild', () => {
    fc.assert(
      fc.property(shuffledPair(), ([events, shuffled]) => {
        const profile = fold(events);

        expect(content(fold(shuffled))).toEqual(content(profile));
        expect(content(rebuildProfile('cus_1', shuffled, C, day(10)).profile)).toEqual(content(profile));
      }),
      { numRuns: 200 },
    );
  });

  it('changes nothing when an event is applied a second time', () => {
    fc.assert(
      fc.property(eventsArbitrary(), fc.nat(), (events, pick) => {
        fc.pre(events.length > 0);
        const profile = fold(events);
        const again = events[pick % events.length] as CleanedEventV1;

        // Within the recent-event window (32 by default; the arbitrary makes at most 12).
        expect(applyEvent(profile, again, C, day(11))).toMatchObject({ kind: 'duplicate', profile });
      }),
      { numRuns: 200 },
    );
  });

  it('remembers the most recent events whatever the order, so the window itself is order-independent', () => {
    const small = createProfileConfig({ recentEventLimit: 3 });
    fc.assert(
      fc.property(shuffledPair(), ([events, shuffled]) => {
        expect(fold(shuffled, small).recentEvents).toEqual(fold(events, small).recentEvents);
        expect(fold(events, small).recentEvents.length).toBe(Math.min(3, events.length));
      }),
      { numRuns: 200 },
    );
  });

  it('tags a high-value customer and drops the tag on refresh once the last purchase is 31 days old', () => {
    const purchases = [1, 2, 3, 4, 5].map((d) =>
      purchase({ eventId: `p${d}`, occurredAt: day(d), minor: 200_000, channel: 'pos' }),
    );
    const profile = fold(purchases, C, day(6));
    expect(profile.tags.map((t) => t.name)).toContain('high-value');

    expect(refreshTags(profile, C, day(35)).kind).toBe('unchanged');
    const lapsed = refreshTags(profile, C, day(36));
    expect(lapsed.kind).toBe('updated');
    expect(lapsed.changes).toEqual({ traits: [], computed: [], tagsAdded: [], tagsRemoved: ['high-value'] });
    expect(
      profileUpdatedEvent(lapsed.profile, lapsed.changes, { kind: 'refresh', occurredAt: day(36) }),
    ).toMatchObject({
      cause: 'refresh',
      version: profile.version + 1,
      tagsRemoved: ['high-value'],
    });
  });

  it('emits a valid ProfileUpdated v1 that names what changed and carries no personal value', () => {
    let profile: CustomerProfile | string = 'cus_0a1b2c3d4e5f60718293a4b5';
    for (const { input } of validCleanedEvents) {
      const update = applyEvent(profile, input, C, '2024-01-03T00:00:00.000Z');
      profile = update.profile;
      const event = profileUpdatedEvent(update.profile, update.changes, {
        kind: 'event',
        eventId: input.eventId,
        occurredAt: input.occurredAt,
      });
      if (event === undefined) continue;
      const parsed = parseProfileUpdated(event);
      expect(parsed.ok ? [] : parsed.reasons).toEqual([]);

      const json = JSON.stringify(event);
      for (const identity of input.identities) expect(json).not.toContain(identity.value);
      for (const value of Object.values(update.profile.traits).map((t) => String(t.value)))
        if (value.length > 2) expect(json, value).not.toContain(value);
    }
    expect(typeof profile === 'string' ? [] : Object.keys(profile.traits)).toEqual(
      expect.arrayContaining(['name', 'city', 'email', 'language']),
    );
  });

  describe('mergeProfiles', () => {
    const survivorEvents = [
      purchase({ eventId: 'p1', occurredAt: day(4), traits: { city: '杭州' }, items: [['茶叶', 1]] }),
    ];
    const absorbedEvents = [
      purchase({
        eventId: 'x1',
        occurredAt: day(1),
        source: 'crm-import',
        channel: 'import',
        traits: { city: '上海', birthday: '1990-03-04' },
        items: [['配饰', 3]],
      }),
      appEvent({ eventId: 'x2', occurredAt: day(2) }),
    ];
    const survivor = fold(survivorEvents);
    const absorbed = fold(absorbedEvents, C, day(3));

    it('applies trait precedence, adds computed traits, and keeps the earlier creation and tag dates', () => {
      const merged = mergeProfiles(survivor, absorbed, C, day(20));

      expect(merged.profile).toMatchObject({
        customerId: 'cus_1',
        version: survivor.version + 1,
        traits: { city: { value: '上海', source: 'crm-import' }, birthday: { value: '1990-03-04' } },
        computed: {
          eventCount: 3,
          purchaseCount: 2,
          spend: { CNY: 20_000 },
          channels: ['app', 'import', 'pos'],
        },
        firstSeen: day(1),
        lastSeen: day(4),
        createdAt: day(3),
        updatedAt: day(20),
      });
      expect(merged.profile.tags.find((t) => t.name === 'has-phone')?.since).toBe(day(3));
      expect(merged.changes).toMatchObject({
        traits: ['birthday', 'city'],
        tagsAdded: [{ name: 'multi-channel' }],
        tagsRemoved: [],
      });
      expect(merged.changes.computed).toEqual(
        expect.arrayContaining(['favouriteCategory', 'firstSeen', 'purchaseCount']),
      );
    });

    it('gives the same content whichever profile survives, and the same as folding all their events', () => {
      const ab = mergeProfiles(survivor, absorbed, C, day(20)).profile;
      const ba = mergeProfiles(absorbed, survivor, C, day(20)).profile;
      const { tags, ...rebuilt } = content(
        rebuildProfile('cus_1', [...survivorEvents, ...absorbedEvents], C, day(20)).profile,
      );

      expect(content(ab)).toEqual(content(ba));
      expect(content(ab)).toMatchObject(rebuilt);
      expect(ab.tags.map((t) => t.name)).toEqual(tags.map((t) => t.name));
    });
  });

  it('rebuilds from the history, de-duplicating ids, continuing the stored version and listing what changed', () => {
    const events = [
      purchase({ eventId: 'p1', occurredAt: day(1), traits: { city: '上海' } }),
      appEvent({ eventId: 'a1', occurredAt: day(2) }),
    ];
    const stored = fold([...events, contact({ eventId: 'c1', occurredAt: day(3), complaint: true })]);

    // After an unmerge, the contact belonged to the other customer.
    const rebuilt = rebuildProfile('cus_1', [...events, events[0] as CleanedEventV1], C, day(10), stored);

    expect(rebuilt.kind).toBe('updated');
    expect(rebuilt.profile).toMatchObject({
      version: stored.version + 1,
      computed: { eventCount: 2, complaintCount: 0 },
    });
    expect(rebuilt.changes).toMatchObject({ traits: [], tagsRemoved: ['complainant'] });
    expect(rebuilt.changes.computed).toEqual([
      'channels',
      'complaintCount',
      'contactCount',
      'eventCount',
      'lastSeen',
    ]);
    expect(rebuildProfile('cus_1', events, C, day(10), fold(events)).kind).toBe('unchanged');
  });
});
