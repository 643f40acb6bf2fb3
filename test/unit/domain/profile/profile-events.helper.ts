import fc from 'fast-check';
import type { CleanedEventV1 } from '../../../../events/cleaning/cleaned-event.v1.ts';
import type { CustomerProfile } from '../../../../shared/domain/profile/customer-profile.ts';

type Common = {
  readonly eventId: string;
  readonly occurredAt: string;
  readonly source?: string;
  readonly channel?: CleanedEventV1['channel'];
  readonly traits?: Record<string, string | number | boolean>;
  readonly effective?: boolean;
};

const base = (c: Common) => ({
  specVersion: '1' as const,
  eventId: c.eventId,
  source: c.source ?? 'pos-shanghai',
  channel: c.channel ?? 'pos',
  occurredAt: c.occurredAt,
  receivedAt: c.occurredAt,
  identities: [{ type: 'phone' as const, value: '+8613800138000' }],
  traits: c.traits ?? {},
  effective: c.effective ?? true,
  quality: { completeness: 0.5, warnings: [] },
});

/** A cleaned POS purchase: `items` as [category, quantity] pairs, money in fen unless `currency` says. */
export const purchase = (
  c: Common & {
    readonly minor?: number;
    readonly currency?: string;
    readonly storeId?: string;
    readonly items?: readonly (readonly [string | undefined, number])[];
  },
): CleanedEventV1 => {
  const currency = c.currency ?? 'CNY';
  return {
    ...base(c),
    type: 'pos.purchase',
    payload: {
      orderId: `o-${c.eventId}`,
      storeId: c.storeId ?? 'SH0042',
      items: (c.items ?? [['配饰', 1]]).map(([category, quantity], i) => ({
        sku: `sku-${i}`,
        ...(category === undefined ? {} : { category }),
        quantity,
        unitPrice: { minor: 100, currency },
      })),
      total: { minor: c.minor ?? 10_000, currency },
    },
  };
};

export const contact = (c: Common & { readonly complaint?: boolean }): CleanedEventV1 => ({
  ...base({ source: 'callcentre-genesys', channel: 'call-centre', ...c }),
  type: 'call-centre.contact',
  payload: {
    contactId: `c-${c.eventId}`,
    direction: 'inbound',
    reason: '投诉 张伟 13800138000',
    transcriptSummary: '顾客张伟来电',
    ...(c.complaint === undefined ? {} : { complaint: c.complaint }),
  },
});

export const appEvent = (c: Common & { readonly name?: string }): CleanedEventV1 => ({
  ...base({ source: 'app-backend', channel: 'app', ...c }),
  type: 'app.event',
  payload: { name: c.name ?? 'add_to_cart', screen: 'ProductDetail' },
});

/** `2026-01-01` plus `days` (may be fractional), as a cleaned timestamp. */
export const day = (days: number): string => new Date(Date.UTC(2026, 0, 1) + days * 86_400_000).toISOString();

/** The profile without what legitimately depends on the order of updates (version, timestamps). */
export const content = (p: CustomerProfile) => ({
  traits: p.traits,
  computed: p.computed,
  tags: p.tags,
  firstSeen: p.firstSeen,
  lastSeen: p.lastSeen,
  recentEvents: p.recentEvents,
});

const SOURCES = [
  ['crm-salesforce', 'import'],
  ['pos-shanghai', 'pos'],
  ['app-backend', 'app'],
  ['collect-api', 'web'],
  ['tmall-connector', 'third-party'],
] as const;

/**
 * Events with unique ids drawn from small pools, so ties in source rank, time and value are frequent.
 */
export const eventsArbitrary = (maxLength = 12): fc.Arbitrary<CleanedEventV1[]> =>
  fc
    .array(
      fc.record({
        kind: fc.constantFrom('purchase', 'contact', 'app'),
        source: fc.constantFrom(...SOURCES),
        at: fc.integer({ min: 0, max: 5 }),
        effective: fc.boolean(),
        traits: fc.dictionary(
          fc.constantFrom('city', 'gender', 'plan', 'constructor'),
          fc.oneof(fc.constantFrom('上海', '杭州', 'gold'), fc.integer({ min: 0, max: 2 }), fc.boolean()),
          { maxKeys: 3 },
        ),
        minor: fc.integer({ min: -500, max: 50_000 }),
        currency: fc.constantFrom('CNY', 'USD'),
        category: fc.constantFrom('配饰', '茶叶', undefined),
        quantity: fc.integer({ min: 1, max: 3 }),
        storeId: fc.constantFrom('SH0042', 'BJ0007'),
        complaint: fc.boolean(),
        id: fc.constantFrom('a', 'b', 'c'),
      }),
      { maxLength },
    )
    .map((drafts) =>
      drafts.map((d, i) => {
        const c: Common = {
          eventId: `${d.id}-${i}`,
          occurredAt: day(d.at),
          source: d.source[0],
          channel: d.source[1],
          traits: d.traits,
          effective: d.effective,
        };
        if (d.kind === 'purchase')
          return purchase({
            ...c,
            minor: d.minor,
            currency: d.currency,
            storeId: d.storeId,
            items: [[d.category, d.quantity]],
          });
        return d.kind === 'contact' ? contact({ ...c, complaint: d.complaint }) : appEvent(c);
      }),
    );
