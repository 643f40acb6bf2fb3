import { describe, expect, it } from 'vitest';
import { parseChannelEnvelope } from '../../events/channel/channel-envelope.v1.ts';
import { validChannelEnvelopes } from '../../events/fixtures/channel-envelope.v1.fixture.ts';
import { validCleanedEvents } from '../../events/fixtures/cleaned-event.v1.fixture.ts';
import { EVENT_CONTRACTS } from '../../events/registry.ts';

// Consumers test against the producers' fixtures, through the registry: a contract without fixtures, or a
// fixture its own contract no longer accepts, fails here.
describe.each(EVENT_CONTRACTS.map((c) => ({ ...c, id: `${c.name} v${c.version}` })))(
  'Contract: $id fixtures',
  (contract) => {
    it('has valid and invalid fixtures', () => {
      expect(contract.fixtures.valid.length).toBeGreaterThan(0);
      expect(contract.fixtures.invalid.length).toBeGreaterThan(0);
    });

    it.each(contract.fixtures.valid)('accepts $name', ({ input }) => {
      expect(contract.parse(input)).toMatchObject({ ok: true });
      expect(contract.schema.safeParse(input).success).toBe(true);
    });

    it.each(contract.fixtures.invalid)('rejects $name', ({ input, reason }) => {
      const result = contract.parse(input);

      expect(result.ok ? [] : result.reasons).toEqual(
        expect.arrayContaining([expect.stringContaining(reason)]),
      );
    });

    it('names every fixture once', () => {
      const names = [...contract.fixtures.valid, ...contract.fixtures.invalid].map((f) => f.name);

      expect(new Set(names).size).toBe(names.length);
    });
  },
);

describe('Contract: cleaning stage fixtures follow from channel fixtures', () => {
  it('cleans only envelopes that exist, keeping message id, type, source and channel', () => {
    const envelopes = new Map(validChannelEnvelopes.map((f) => [f.input.messageId, f.input]));

    for (const { input: cleaned } of validCleanedEvents) {
      const envelope = envelopes.get(cleaned.eventId);
      expect(envelope, cleaned.eventId).toBeDefined();
      expect(parseChannelEnvelope(envelope).ok).toBe(true);
      expect({ type: cleaned.type, source: cleaned.source, channel: cleaned.channel }).toEqual({
        type: envelope?.type,
        source: envelope?.source,
        channel: envelope?.channel,
      });
    }
  });
});
