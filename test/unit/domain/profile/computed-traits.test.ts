import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  combineComputed,
  computedView,
  contributionOf,
} from '../../../../shared/domain/profile/computed-traits.ts';
import { type ComputedTraits, EMPTY_COMPUTED } from '../../../../shared/domain/profile/customer-profile.ts';
import { appEvent, contact, day, eventsArbitrary, purchase } from './profile-events.helper.ts';

const fold = (events: Parameters<typeof contributionOf>[0][]): ComputedTraits =>
  events.reduce((c, e) => combineComputed(c, contributionOf(e)), EMPTY_COMPUTED);

describe('Domain: computed traits', () => {
  it('counts purchases, spend per currency in minor units, categories, stores and purchase dates', () => {
    const c = fold([
      purchase({
        eventId: 'p1',
        occurredAt: day(3),
        minor: 259_800,
        items: [
          ['配饰', 2],
          [undefined, 1],
        ],
      }),
      purchase({ eventId: 'p2', occurredAt: day(1), minor: 26_550, storeId: 'BJ0007', items: [['茶叶', 3]] }),
      purchase({ eventId: 'p3', occurredAt: day(2), minor: 1_999, currency: 'USD' }),
    ]);

    expect(c).toMatchObject({
      eventCount: 3,
      purchaseCount: 3,
      spend: { CNY: 286_350, USD: 1_999 },
      purchasesByCurrency: { CNY: 2, USD: 1 },
      itemsByCategory: { 配饰: 3, 茶叶: 3 },
      firstPurchaseAt: day(1),
      lastPurchaseAt: day(3),
      stores: ['BJ0007', 'SH0042'],
      channels: ['pos'],
      identifierTypes: ['phone'],
    });
  });

  it('derives average order value per currency, favourite category (ties to the smaller name) and distinct stores', () => {
    const view = computedView({
      computed: fold([
        purchase({ eventId: 'p1', occurredAt: day(1), minor: 100, items: [['b', 2]] }),
        purchase({ eventId: 'p2', occurredAt: day(2), minor: 201, items: [['a', 2]], storeId: 'X' }),
      ]),
      firstSeen: day(0),
      lastSeen: day(2),
    });

    expect(view).toMatchObject({
      averageOrderValue: { CNY: 151 },
      favouriteCategory: 'a',
      distinctStores: 2,
      firstSeen: day(0),
      lastSeen: day(2),
    });
  });

  it('counts call-centre contacts and complaints', () => {
    const c = fold([
      contact({ eventId: 'c1', occurredAt: day(1), complaint: true }),
      contact({ eventId: 'c2', occurredAt: day(2), complaint: false }),
      contact({ eventId: 'c3', occurredAt: day(3) }),
    ]);

    expect(c).toMatchObject({ eventCount: 3, contactCount: 3, complaintCount: 1, channels: ['call-centre'] });
  });

  it('ignores a near-duplicate (not effective) event for counts, but keeps its channel and identifier types', () => {
    const c = fold([
      contact({ eventId: 'c1', occurredAt: day(1), complaint: true, effective: false }),
      purchase({ eventId: 'p1', occurredAt: day(2), effective: false }),
      appEvent({ eventId: 'a1', occurredAt: day(3) }),
    ]);

    expect(c).toEqual({
      ...EMPTY_COMPUTED,
      eventCount: 1,
      channels: ['app', 'call-centre', 'pos'],
      identifierTypes: ['phone'],
    });
  });

  it('has no favourite category and no average before any purchase', () => {
    const view = computedView({ computed: EMPTY_COMPUTED });

    expect(view.favouriteCategory).toBeUndefined();
    expect(view.averageOrderValue).toEqual({});
  });

  it('is commutative and associative, with EMPTY_COMPUTED as identity', () => {
    fc.assert(
      fc.property(eventsArbitrary(4), (events) => {
        const [a = EMPTY_COMPUTED, b = EMPTY_COMPUTED, c = EMPTY_COMPUTED] = events.map(contributionOf);

        expect(combineComputed(a, b)).toEqual(combineComputed(b, a));
        expect(combineComputed(combineComputed(a, b), c)).toEqual(combineComputed(a, combineComputed(b, c)));
        expect(combineComputed(a, EMPTY_COMPUTED)).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });
});
