import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelEnvelopeV1 } from '../../../../events/channel/channel-envelope.v1.ts';
import { parseCleanedEvent } from '../../../../events/cleaning/cleaned-event.v1.ts';
import {
  invalidChannelEnvelopes,
  posPurchaseEnvelope,
  validChannelEnvelopes,
} from '../../../../events/fixtures/channel-envelope.v1.fixture.ts';
import { fastAcceptValidator } from '../../../../events/zod-fast-accept.validator.ts';
import {
  type CleaningOutcome,
  cleanEnvelope,
  cleanValidatedEnvelope,
  DEFAULT_CLEANING_CONFIG,
} from '../../../../shared/domain/cleaning/envelope.cleaner.ts';
import { mutatedEnvelope } from '../../events/envelope-mutation.helper.ts';

const RECEIVED = '2026-11-22T08:00:00.000Z';
const clean = (x: unknown): CleaningOutcome =>
  cleanEnvelope(JSON.stringify(x), RECEIVED, DEFAULT_CLEANING_CONFIG);
const cleaned = (x: unknown) => {
  const outcome = clean(x);
  if (outcome.kind !== 'cleaned') throw new Error(`rejected: ${outcome.reasons.join('; ')}`);
  return outcome.event;
};

const envelope = (overrides: Record<string, unknown> = {}) => ({
  specVersion: '1',
  messageId: 'm-1',
  type: 'app.event',
  source: 'app-backend',
  channel: 'app',
  occurredAt: '2026-11-21 10:00:00',
  identities: { phone: '+86 138-0013-8000' },
  payload: { name: 'Opened' },
  ...overrides,
});

describe('Domain: envelope cleaner', () => {
  it.each(validChannelEnvelopes)('cleans $name into a valid CleanedEvent v1', ({ input }) => {
    const event = cleaned(input);
    const check = parseCleanedEvent(event);
    expect(check.ok ? [] : check.reasons).toEqual([]);
  });

  it.each(invalidChannelEnvelopes)('rejects $name with the schema reason', ({ input, reason }) => {
    const outcome = clean(input);
    expect(outcome.kind).toBe('rejected');
    if (outcome.kind === 'rejected') expect(outcome.reasons.join('\n')).toContain(reason);
  });

  it('standardises phone, e-mail, names and time, and derives the country from the phone', () => {
    const event = cleaned(
      envelope({
        identities: { phone: '００８６ １３８００１３８０００', email: '  Li.Lei@Example.COM ' },
        traits: { name: '　李　雷 ', gender: '男', birthday: '1990年3月4日' },
      }),
    );
    expect(event.identities).toEqual([
      { type: 'phone', value: '+8613800138000' },
      { type: 'email', value: 'li.lei@example.com' },
    ]);
    expect(event.traits).toMatchObject({
      name: '李 雷',
      gender: 'male',
      birthday: '1990-03-04',
      country: 'CN',
    });
    // Local time without a zone is China Standard Time by default.
    expect(event.occurredAt).toBe('2026-11-21T02:00:00.000Z');
  });

  it('refuses a gender that only an object prototype knows, with a warning', () => {
    for (const gender of ['constructor', 'toString', '__proto__']) {
      const outcome = cleanEnvelope(
        JSON.stringify(envelope({ traits: { gender } })),
        '2026-11-21T03:00:00Z',
        DEFAULT_CLEANING_CONFIG,
      );
      if (outcome.kind !== 'cleaned') throw new Error(`rejected: ${gender}`);
      expect(outcome.event.traits.gender).toBeUndefined();
      expect(outcome.event.quality.warnings).toContain('traits.gender: gender.unknown');
    }
  });

  it('keeps money exact in minor units', () => {
    const event = cleaned(posPurchaseEnvelope);
    if (event.type !== 'pos.purchase') throw new Error('wrong type');
    expect(Number.isInteger(event.payload.total.minor)).toBe(true);
    expect(event.payload.total.currency).toMatch(/^[A-Z]{3}$/);
  });

  it('drops a bad identity with a warning when a good one remains, and refuses the event when none does', () => {
    const withGood = cleaned(envelope({ identities: { phone: '12345', deviceId: ' dev-1 ' } }));
    expect(withGood.identities).toEqual([{ type: 'deviceId', value: 'dev-1' }]);
    expect(withGood.quality.warnings).toContain('identities.phone: phone.invalid');
    expect(clean(envelope({ identities: { phone: '12345' } }))).toMatchObject({
      kind: 'rejected',
      reasons: ['identities.phone: phone.invalid'],
      messageId: 'm-1',
    });
  });

  it('refuses oversized, malformed, future and unparseable-time records with their reason', () => {
    const big = JSON.stringify(
      envelope({ payload: { name: 'x', properties: { blob: 'x'.repeat(40_000) } } }),
    );
    expect(cleanEnvelope(big, RECEIVED, DEFAULT_CLEANING_CONFIG)).toMatchObject({
      kind: 'rejected',
      reasons: [expect.stringMatching(/^envelope\.too-large/)],
    });
    expect(cleanEnvelope('{"specVersion":', RECEIVED, DEFAULT_CLEANING_CONFIG)).toMatchObject({
      reasons: ['envelope.malformed-json'],
    });
    expect(clean(envelope({ occurredAt: '2030-01-01T00:00:00Z' }))).toMatchObject({
      reasons: ['occurredAt: timestamp.out-of-range'],
    });
    expect(clean(envelope({ occurredAt: 'yesterday 5pm' }))).toMatchObject({ kind: 'rejected' });
  });

  it('keeps personal data out of a Segment payload once it is lifted into identities and traits', () => {
    const event = cleaned(
      envelope({
        type: 'segment.message',
        channel: 'web',
        identities: { userId: 'u-1' },
        payload: {
          type: 'identify',
          userId: 'u-1',
          traits: { email: 'A@B.CO', plan: 'gold', name: 'Ann Lee' },
          context: { ip: '1.2.3.4', locale: 'en-GB' },
        },
      }),
    );
    expect(event.identities).toEqual([
      { type: 'userId', value: 'u-1' },
      { type: 'email', value: 'a@b.co' },
    ]);
    expect(event.traits.name).toBe('Ann Lee');
    expect(event.payload).toEqual({
      type: 'identify',
      traits: { plan: 'gold' },
      context: { locale: 'en-GB' },
    });
  });

  it('never throws, and whatever it accepts is a valid CleanedEvent v1', () => {
    const arbitraryEnvelope = fc.record({
      specVersion: fc.constantFrom('1', 1, '2'),
      messageId: fc.string(),
      type: fc.constantFrom('app.event', 'pos.purchase', 'call-centre.contact', 'segment.message', 'x'),
      source: fc.constantFrom('pos', 'a-b', 'Bad Source'),
      channel: fc.constantFrom('app', 'web', 'pos', 'tv'),
      occurredAt: fc.oneof(fc.string(), fc.integer(), fc.constant('2026-01-01 10:00')),
      identities: fc.dictionary(
        fc.constantFrom('phone', 'email', 'deviceId', 'userId'),
        fc.oneof(fc.string(), fc.integer()),
      ),
      traits: fc.dictionary(
        fc.constantFrom('name', 'gender', 'birthday', 'country', 'province', 'city'),
        fc.string(),
      ),
      payload: fc.anything(),
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          arbitraryEnvelope.map((x) => JSON.stringify(x)),
        ),
        (data) => {
          const outcome = cleanEnvelope(data, RECEIVED, DEFAULT_CLEANING_CONFIG);
          if (outcome.kind === 'cleaned') expect(parseCleanedEvent(outcome.event).ok).toBe(true);
          else expect(outcome.reasons.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("cleans what the fast schema path accepts exactly as it cleans zod's output of the same record", () => {
    const accept = fastAcceptValidator(channelEnvelopeV1);
    const clean = (envelope: Parameters<typeof cleanValidatedEnvelope>[0]) =>
      JSON.stringify(cleanValidatedEnvelope(envelope, RECEIVED, DEFAULT_CLEANING_CONFIG));
    let compared = 0;
    fc.assert(
      fc.property(mutatedEnvelope(), (input) => {
        const fast = accept(input);
        if (fast === undefined) return;
        const zod = channelEnvelopeV1.safeParse(input);
        expect(zod.success).toBe(true);
        if (zod.success) expect(clean(fast)).toBe(clean(zod.data));
        compared++;
      }),
      { numRuns: 1000 },
    );
    // Roughly half the mutated envelopes stay valid: the property is not vacuous.
    expect(compared).toBeGreaterThan(100);
  });

  it('refuses as malformed exactly the records JSON.parse refuses, truncated ones included', () => {
    const whitespace = fc.constantFrom('', ' ', '\n', '\t\r\n ', '\u00A0', '\uFEFF');
    const truncated = fc
      .tuple(fc.constantFrom(...validChannelEnvelopes.map((f) => JSON.stringify(f.input))), fc.nat())
      .map(([json, cut]) => json.slice(0, cut % (json.length + 1)));
    const text = fc
      .tuple(
        whitespace,
        fc.oneof(
          truncated,
          fc.string().map((s) => `{${s}`),
          fc.string(),
        ),
        whitespace,
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (data) => {
        let throws = false;
        try {
          JSON.parse(data);
        } catch {
          throws = true;
        }
        const outcome = cleanEnvelope(data, RECEIVED, DEFAULT_CLEANING_CONFIG);
        const malformed = outcome.kind === 'rejected' && outcome.reasons[0] === 'envelope.malformed-json';
        expect(malformed).toBe(throws);
      }),
      { numRuns: 1000 },
    );
  });
});
