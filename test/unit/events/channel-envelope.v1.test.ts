import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHANNEL_EVENT_TYPES,
  type ChannelEnvelopeV1,
  channelEnvelopeV1,
  parseChannelEnvelope,
} from '../../../events/channel/channel-envelope.v1.ts';
import {
  envelopeWithUnknownKeys,
  invalidChannelEnvelopes,
  posPurchaseEnvelope,
  validChannelEnvelopes,
} from '../../../events/fixtures/channel-envelope.v1.fixture.ts';

describe('Events: channel-envelope v1', () => {
  it.each(validChannelEnvelopes)('accepts $name', ({ input }) => {
    const result = parseChannelEnvelope(input);

    expect(result).toEqual({ ok: true, envelope: input });
  });

  it.each(invalidChannelEnvelopes)('rejects $name', ({ input, reason }) => {
    const result = parseChannelEnvelope(input);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(
      result.reasons.some((r) => r.includes(reason)),
      `${reason} in ${result.reasons.join(' | ')}`,
    ).toBe(true);
  });

  it('has a valid fixture for every event type', () => {
    const covered = new Set(validChannelEnvelopes.map((f) => f.input.type));

    expect([...covered].sort()).toEqual([...CHANNEL_EVENT_TYPES].sort());
  });

  it('keeps messy raw values as they came: cleaning standardises them, not the contract', () => {
    const result = parseChannelEnvelope(posPurchaseEnvelope);

    expect(result.ok && result.envelope.identities.phone).toBe('+86 138-0013-8000');
    expect(result.ok && result.envelope.occurredAt).toBe('2024年1月2日 13:04');
    expect(
      result.ok && result.envelope.type === 'pos.purchase' && result.envelope.payload.items[0],
    ).toMatchObject({
      quantity: '２',
      unitPrice: '1,299.00',
    });
  });

  it('strips unknown keys at every level instead of failing (forward compatible)', () => {
    const result = parseChannelEnvelope(envelopeWithUnknownKeys);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.envelope).not.toHaveProperty('schemaHints');
    expect(result.envelope.identities).not.toHaveProperty('loyaltyId');
    expect(result.envelope.payload).not.toHaveProperty('experiment');
    expect(result.envelope.identities.userId).toBe('u-1029384');
  });

  it('reports reasons as stable path: message lines, all of them, without duplicates', () => {
    const result = parseChannelEnvelope({
      ...posPurchaseEnvelope,
      channel: 'sms',
      payload: {
        ...posPurchaseEnvelope.payload,
        items: [
          { sku: 'A', quantity: -1, unitPrice: '1,299.00' },
          { sku: 'B', quantity: 2, unitPrice: 'free' },
        ],
      },
    });

    expect(result).toEqual({
      ok: false,
      reasons: [
        "channel: expected one of 'web', 'app', 'mini-program', 'pos', 'call-centre', 'import', 'third-party'",
        'payload.items.0.quantity: expected a positive integer',
        "payload.items.1.unitPrice: expected an amount (a number or a numeric string such as '1,299.00')",
      ],
    });
  });

  it.each([['+86 138-0013-8000'], ['＋８６ １３８ ００１３ ８０００'], ['(021) 6234-5678'], [13800138000]])(
    'accepts the phone %s',
    (phone) => {
      expect(parseChannelEnvelope({ ...posPurchaseEnvelope, identities: { phone } }).ok).toBe(true);
    },
  );

  it.each([['1,299.00'], ['¥1,299.00'], ['１２９９．００'], ['CNY 1299'], ['1299元'], [1299], [-15.5]])(
    'accepts the amount %s',
    (amount) => {
      const input = {
        ...posPurchaseEnvelope,
        payload: { ...posPurchaseEnvelope.payload, total: { amount } },
      };

      expect(parseChannelEnvelope(input).ok).toBe(true);
    },
  );

  it.each([
    ['2024-01-02T13:04:00+08:00'],
    ['2024-01-02 13:04:05'],
    ['2024年1月2日 13:04'],
    [1704171840],
    [1704171840000],
  ])('accepts the timestamp %s', (occurredAt) => {
    expect(parseChannelEnvelope({ ...posPurchaseEnvelope, occurredAt }).ok).toBe(true);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withBoxedValues: true, withSparseArray: true }),
        (input) => {
          const result = parseChannelEnvelope(input);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on envelope-shaped input with random values, and every reason is a path: message line', () => {
    const envelopeLike = fc.record(
      {
        specVersion: fc.oneof(fc.constant('1'), fc.anything()),
        messageId: fc.oneof(fc.string(), fc.anything()),
        type: fc.oneof(fc.constantFrom(...CHANNEL_EVENT_TYPES), fc.string()),
        source: fc.oneof(fc.constant('pos-shanghai'), fc.string()),
        channel: fc.oneof(fc.constant('pos'), fc.anything()),
        occurredAt: fc.oneof(fc.string(), fc.double(), fc.anything()),
        identities: fc.oneof(fc.dictionary(fc.string(), fc.anything()), fc.anything()),
        payload: fc.oneof(fc.dictionary(fc.string(), fc.anything()), fc.anything()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(envelopeLike, (input) => {
        const result = parseChannelEnvelope(input);
        if (!result.ok) for (const r of result.reasons) expect(r).toMatch(/^\S[^\n]*: \S/);
      }),
      { numRuns: 500 },
    );
  });

  it('types the payload by event type', () => {
    const envelope: ChannelEnvelopeV1 = channelEnvelopeV1.parse(posPurchaseEnvelope);

    // Compile-time: narrowing on `type` gives the purchase payload.
    const orderId = envelope.type === 'pos.purchase' ? envelope.payload.orderId : undefined;
    expect(orderId).toBe('SH0042-20240102-000187');
  });
});
