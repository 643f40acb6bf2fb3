import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProfileUpdated } from '../../../../events/profile/profile-updated.v1.ts';
import { type CustomerProfile, emptyProfile } from '../../../../shared/domain/profile/customer-profile.ts';
import {
  applyEvent,
  applyManualEdit,
  createProfileConfig,
  DEFAULT_PROFILE_CONFIG,
  MAX_MANUAL_TAGS,
  type ManualEdit,
  mergeProfiles,
  type ProfileConfig,
  type ProfileUpdate,
  rebuildProfile,
  refreshTags,
} from '../../../../shared/domain/profile/profile.updater.ts';
import { profileUpdatedEvent } from '../../../../shared/domain/profile/profile-change.ts';
import { fieldsNotWritable, standardiseTraitEdits } from '../../../../shared/domain/profile/profile-edit.ts';
import {
  DEFAULT_SOURCE_PRECEDENCE,
  sourceRank,
} from '../../../../shared/domain/profile/trait-precedence.rule.ts';
import { appEvent, day, eventsArbitrary, purchase } from './profile-events.helper.ts';

const C = DEFAULT_PROFILE_CONFIG;
const edit = (over: Partial<ManualEdit>): ManualEdit => ({
  editId: 'edit:r-1',
  traits: {},
  addTags: [],
  removeTags: [],
  ...over,
});
const fold = (events: Parameters<typeof applyEvent>[1][], now = day(10)): CustomerProfile =>
  events.reduce((p, e) => applyEvent(p, e, C, now).profile, emptyProfile('cus_1', now));
const applied = (result: ReturnType<typeof applyManualEdit>): ProfileUpdate => {
  if (result.kind === 'refused') throw new Error(`refused: ${result.detail}`);
  return result;
};

// A CRM export wrote the address; the call centre corrects it.
const fromCrm = () =>
  fold([
    purchase({
      eventId: 'crm-1',
      occurredAt: day(1),
      source: 'crm-export',
      channel: 'import',
      traits: { address: '漕溪北路86号', city: '上海' },
    }),
  ]);

describe('Domain: manual profile edits', () => {
  it('sets a trait as the manual source at the edit time, with the edit as its provenance, and bumps the version', () => {
    const before = fromCrm();

    const update = applied(
      applyManualEdit(before, edit({ traits: { address: '漕溪北路88号' } }), C, day(11)),
    );

    expect(update.kind).toBe('updated');
    expect(update.profile.version).toBe(before.version + 1);
    expect(update.profile.traits.address).toEqual({
      value: '漕溪北路88号',
      source: 'manual',
      channel: 'manual',
      eventId: 'edit:r-1',
      occurredAt: day(11),
    });
    expect(update.profile.traits.city).toEqual(before.traits.city);
    expect(update.changes.traits).toEqual(['address']);
    const published = profileUpdatedEvent(update.profile, update.changes, {
      kind: 'edit',
      occurredAt: day(11),
    });
    expect(parseProfileUpdated(published)).toMatchObject({ ok: true, event: { cause: 'edit' } });
  });

  it('is not undone by a later channel event, a CRM export included; a later manual edit replaces it', () => {
    const corrected = applied(
      applyManualEdit(fromCrm(), edit({ traits: { address: '漕溪北路88号' } }), C, day(11)),
    ).profile;

    const afterExport = applyEvent(
      corrected,
      purchase({
        eventId: 'crm-2',
        occurredAt: day(20),
        source: 'crm-export',
        channel: 'import',
        traits: { address: '漕溪北路86号' },
      }),
      C,
      day(20),
    ).profile;
    const afterSecondEdit = applied(
      applyManualEdit(
        afterExport,
        edit({ editId: 'edit:r-2', traits: { address: '漕溪北路90号' } }),
        C,
        day(21),
      ),
    ).profile;

    expect(afterExport.traits.address?.value).toBe('漕溪北路88号');
    expect(afterSecondEdit.traits.address).toMatchObject({ value: '漕溪北路90号', eventId: 'edit:r-2' });
  });

  it('follows a per-trait override: a channel ranked above manual edits wins, and an edit against it is refused', () => {
    const config: ProfileConfig = createProfileConfig({
      precedence: { ...DEFAULT_SOURCE_PRECEDENCE, overrides: { birthday: ['app', 'manual'] } },
    });
    const base = applied(
      applyManualEdit(
        emptyProfile('cus_1', day(0)),
        edit({ traits: { birthday: '1990-03-14' } }),
        config,
        day(1),
      ),
    ).profile;

    const fromApp = applyEvent(
      base,
      appEvent({ eventId: 'a-1', occurredAt: day(2), traits: { birthday: '1990-03-15' } }),
      config,
      day(2),
    ).profile;
    const refused = applyManualEdit(
      fromApp,
      edit({ traits: { birthday: '1990-03-16', city: '杭州' } }),
      config,
      day(3),
    );

    expect(fromApp.traits.birthday?.value).toBe('1990-03-15');
    expect(refused).toMatchObject({ kind: 'refused', reason: 'outranked', field: 'birthday' });
  });

  it('does not let a channel whose source is named manual-… pass for a manual edit', () => {
    expect(sourceRank(DEFAULT_SOURCE_PRECEDENCE, 'city', 'manual', 'manual')).toBe(0);
    expect(sourceRank(DEFAULT_SOURCE_PRECEDENCE, 'city', 'manual-import', 'import')).toBe(
      DEFAULT_SOURCE_PRECEDENCE.ranking.length,
    );
    expect(sourceRank(DEFAULT_SOURCE_PRECEDENCE, 'city', 'manual', 'web')).toBe(
      DEFAULT_SOURCE_PRECEDENCE.ranking.indexOf('web'),
    );
  });

  it('treats a value equal to the one held as no change: nothing to store, the provenance stays', () => {
    const before = fromCrm();

    const update = applied(applyManualEdit(before, edit({ traits: { city: '上海' } }), C, day(11)));

    expect(update.kind).toBe('unchanged');
    expect(update.profile).toBe(before);
  });

  it('adds and removes manual tags, idempotently, and keeps them apart from computed tags', () => {
    const before = fromCrm();

    const tagged = applied(
      applyManualEdit(before, edit({ addTags: ['vip-prospect', 'vip-prospect'] }), C, day(11)),
    );
    const again = applied(applyManualEdit(tagged.profile, edit({ addTags: ['vip-prospect'] }), C, day(12)));
    const untagged = applied(
      applyManualEdit(tagged.profile, edit({ removeTags: ['vip-prospect'] }), C, day(13)),
    );
    const removeMissing = applied(applyManualEdit(before, edit({ removeTags: ['never-there'] }), C, day(13)));

    expect(tagged.profile.tags.filter((t) => t.manual)).toEqual([
      { name: 'vip-prospect', family: 'basic', weight: 1, since: day(11), manual: true },
    ]);
    expect(tagged.changes.tagsAdded.map((t) => t.name)).toEqual(['vip-prospect']);
    expect(again.kind).toBe('unchanged');
    expect(untagged.profile.tags.map((t) => t.name)).not.toContain('vip-prospect');
    expect(untagged.changes.tagsRemoved).toEqual(['vip-prospect']);
    expect(removeMissing.kind).toBe('unchanged');
  });

  it('refuses a computed tag, added or removed, and more manual tags than the limit — applying nothing', () => {
    const before = fromCrm();
    const many = Array.from({ length: MAX_MANUAL_TAGS + 1 }, (_, i) => `t-${i}`);

    expect(applyManualEdit(before, edit({ addTags: ['high-value'] }), C, day(11))).toMatchObject({
      kind: 'refused',
      reason: 'computed-tag',
      field: 'tags.high-value',
    });
    expect(applyManualEdit(before, edit({ removeTags: ['has-phone'] }), C, day(11))).toMatchObject({
      reason: 'computed-tag',
    });
    expect(
      applyManualEdit(before, edit({ traits: { city: '杭州' }, addTags: many }), C, day(11)),
    ).toMatchObject({ reason: 'too-many-tags' });
  });

  it('keeps manual tags through events, clock refreshes and merges (the earlier `since` of either side)', () => {
    const tagged = applied(
      applyManualEdit(fromCrm(), edit({ addTags: ['vip-prospect'] }), C, day(11)),
    ).profile;
    const other = applied(
      applyManualEdit(emptyProfile('cus_2', day(0)), edit({ addTags: ['vip-prospect', 'b2b'] }), C, day(5)),
    ).profile;

    const afterEvent = applyEvent(
      tagged,
      appEvent({ eventId: 'a-9', occurredAt: day(12) }),
      C,
      day(12),
    ).profile;
    const refreshed = refreshTags(afterEvent, C, day(400)).profile;
    const merged = mergeProfiles(refreshed, other, C, day(401)).profile;

    expect(afterEvent.tags.find((t) => t.name === 'vip-prospect')?.manual).toBe(true);
    expect(refreshed.tags.find((t) => t.name === 'vip-prospect')?.manual).toBe(true);
    expect(merged.tags.filter((t) => t.manual).map((t) => [t.name, t.since])).toEqual([
      ['b2b', day(5)],
      ['vip-prospect', day(5)],
    ]);
  });

  it('keeps manual edits through a rebuild from the event history, whatever the events', () => {
    fc.assert(
      fc.property(eventsArbitrary(8), (events) => {
        const folded = events.reduce(
          (p, e) => applyEvent(p, e, C, day(10)).profile,
          emptyProfile('cus_1', day(0)),
        );
        const edited = applied(
          applyManualEdit(folded, edit({ traits: { city: '苏州' }, addTags: ['vip-prospect'] }), C, day(11)),
        ).profile;

        const rebuilt = rebuildProfile('cus_1', events, C, day(12), edited).profile;

        expect(rebuilt.traits.city).toEqual(edited.traits.city);
        expect(rebuilt.tags.filter((t) => t.manual)).toEqual(edited.tags.filter((t) => t.manual));
      }),
      { numRuns: 50 },
    );
  });
});

describe('Domain: standardising edited values', () => {
  const ctx = { now: day(100), country: 'CN' };

  it('standardises as cleaning does: full-width text, names, gender words, birthdays, countries, provinces', () => {
    const result = standardiseTraitEdits(
      {
        address: ' 漕溪北路８８号 ',
        name: '  李娜 ',
        gender: '女',
        birthday: '1990年3月14日',
        country: 'China',
        province: '上海',
        'custom.vipLevel': 3,
        'custom.note': 'ＶＩＰ',
      },
      ctx,
    );

    expect(result).toEqual({
      ok: true,
      traits: {
        address: '漕溪北路88号',
        name: '李娜',
        gender: 'female',
        birthday: '1990-03-14',
        country: 'CN',
        province: 'CN-SH',
        'custom.vipLevel': 3,
        'custom.note': 'VIP',
      },
    });
  });

  it('refuses what cannot be standardised, naming each trait, and names outside the vocabulary', () => {
    const result = standardiseTraitEdits(
      { birthday: '2999-01-01', gender: 'maybe', name: '123', country: true, plan: 'gold', address: '   ' },
      ctx,
    );

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['address', 'birthday', 'country', 'gender', 'name', 'plan'].sort(),
    );
  });
});

describe('Domain: who may change which field', () => {
  it('lets a role change a personal field only when it sees it in clear', () => {
    expect(fieldsNotWritable(['sales'], ['name', 'postcode', 'city'])).toEqual(['name']);
    expect(fieldsNotWritable(['service'], ['name', 'birthday', 'address'])).toEqual([]);
    expect(fieldsNotWritable(['sales', 'admin'], ['name'])).toEqual([]);
    expect(fieldsNotWritable(['marketing'], ['address', 'custom.x'])).toEqual(['address']);
  });
});
