import { describe, expect, it } from 'vitest';
import { validCleanedEvents } from '../../../../events/fixtures/cleaned-event.v1.fixture.ts';
import { timelineEntryOf } from '../../../../shared/domain/profile/profile-timeline.ts';
import { contact, day, purchase } from './profile-events.helper.ts';

const TTL = { ttlDays: 30 };
const PII_TRAITS = ['name', 'firstName', 'lastName', 'email', 'phone', 'birthday', 'address', 'postcode'];

describe('Domain: profile timeline', () => {
  it('summarises a purchase with its total, item count, store and categories', () => {
    const e = purchase({
      eventId: 'p1',
      occurredAt: day(0),
      minor: 259_800,
      items: [
        ['配饰', 2],
        ['茶叶', 1],
        [undefined, 1],
      ],
    });

    expect(timelineEntryOf('cus_1', e, TTL, day(1))).toEqual({
      customerId: 'cus_1',
      eventId: 'p1',
      type: 'pos.purchase',
      channel: 'pos',
      source: 'pos-shanghai',
      occurredAt: day(0),
      effective: true,
      summary: {
        kind: 'purchase',
        total: { minor: 259_800, currency: 'CNY' },
        itemCount: 4,
        storeId: 'SH0042',
        categories: ['茶叶', '配饰'].sort(),
      },
      expiresAt: Date.parse(day(30)) / 1000,
    });
  });

  it('keeps free text out of a call-centre contact: no reason, transcript or outcome', () => {
    const entry = timelineEntryOf(
      'cus_1',
      contact({ eventId: 'c1', occurredAt: day(0), complaint: true }),
      TTL,
      day(0),
    );

    expect(entry?.summary).toEqual({ kind: 'contact', direction: 'inbound', complaint: true });
  });

  it('keeps no identity, personal trait value or query string of any cleaned fixture', () => {
    for (const { input } of validCleanedEvents) {
      const json = JSON.stringify(timelineEntryOf('cus_1', input, { ttlDays: 36_500 }, input.occurredAt));
      const secrets = [
        ...input.identities.map((i) => i.value),
        ...PII_TRAITS.flatMap((k) => (k in input.traits ? [String(input.traits[k])] : [])),
      ];

      for (const secret of secrets) expect(json, `${input.eventId}: ${secret}`).not.toContain(secret);
      expect(json).not.toContain('?id=');
    }
  });

  it('expires after the configured number of days, and gives nothing for an event already past it', () => {
    const e = purchase({ eventId: 'p1', occurredAt: day(0) });

    expect(timelineEntryOf('cus_1', e, { ttlDays: 7 }, day(6.9))?.expiresAt).toBe(Date.parse(day(7)) / 1000);
    expect(timelineEntryOf('cus_1', e, { ttlDays: 7 }, day(7))).toBeUndefined();
  });
});
