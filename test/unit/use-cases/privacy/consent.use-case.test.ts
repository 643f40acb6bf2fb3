import { describe, expect, it } from 'vitest';
import { consentGrantedFixture } from '../../../../events/fixtures/consent-recorded.v1.fixture.ts';
import type {
  ConsentRecordedV1,
  ConsentRecordInput,
} from '../../../../events/privacy/consent-recorded.v1.ts';
import { parseConsentRecorded } from '../../../../events/privacy/consent-recorded.v1.ts';
import type { ConsentRecord } from '../../../../shared/domain/privacy/consent-ledger.ts';
import {
  type ConsentPorts,
  ConsentRecordConflictError,
  ConsentRecordRejectedError,
  checkContact,
  consentState,
  recordConsent,
} from '../../../../shared/use-cases/privacy/consent.use-case.ts';

/** The ledger and outbox in memory, with the table's once-per-record-id transaction. */
const memoryConsent = () => {
  const records = new Map<string, ConsentRecord>();
  const outbox: ConsentRecordedV1[] = [];
  const scopes: unknown[] = [];
  let interleave: (() => void) | undefined;
  const ports: ConsentPorts = {
    consentRecords: async (customerId, scope) => {
      scopes.push(scope);
      return [...records.values()].filter((r) => r.customerId === customerId);
    },
    consentRecord: async (customerId, recordId) => records.get(`${customerId}/${recordId}`),
    saveConsent: async (record, event) => {
      // Another request with the same id commits between our read and our write.
      interleave?.();
      interleave = undefined;
      const key = `${record.customerId}/${record.recordId}`;
      if (records.has(key)) return false;
      records.set(key, record);
      outbox.push(event);
      return true;
    },
  };
  return { ports, records, outbox, scopes, raceOnce: (fn: () => void) => (interleave = fn) };
};

const { specVersion: _s, recordedAt: _r, ...base } = consentGrantedFixture;
const input = (overrides: Partial<ConsentRecordInput> = {}): ConsentRecordInput => ({
  ...base,
  recordId: 'web-1',
  customerId: 'cus_1',
  ...overrides,
});

const NOW = '2026-11-20T08:15:01.000Z';
const LATER = '2026-11-20T09:00:00.000Z';

describe('Consent: recordConsent', () => {
  it('stores a record with its recordedAt and emits ConsentRecorded v1 in the same write', async () => {
    const m = memoryConsent();

    const result = await recordConsent(m.ports, input(), NOW);

    expect(result).toEqual({ outcome: 'recorded', record: { ...input(), recordedAt: NOW } });
    expect(m.outbox).toEqual([{ specVersion: '1', ...input(), recordedAt: NOW }]);
    expect(parseConsentRecorded(m.outbox[0])).toMatchObject({ ok: true });
  });

  it('is idempotent by record id: a retry stores nothing, emits nothing and returns what was stored', async () => {
    const m = memoryConsent();
    await recordConsent(m.ports, input(), NOW);

    // The same body, members in another order, retried later.
    const { evidence, ...rest } = input();
    const retried = await recordConsent(m.ports, { evidence, ...rest }, LATER);

    expect(retried).toEqual({ outcome: 'duplicate', record: { ...input(), recordedAt: NOW } });
    expect(m.records.size).toBe(1);
    expect(m.outbox).toHaveLength(1);
  });

  it('refuses other content under a record id already used', async () => {
    const m = memoryConsent();
    await recordConsent(m.ports, input(), NOW);

    await expect(recordConsent(m.ports, input({ status: 'withdrawn' }), LATER)).rejects.toThrow(
      ConsentRecordConflictError,
    );
    expect(m.outbox).toHaveLength(1);
  });

  it('settles a race between two copies of one request: one stored, the other a duplicate', async () => {
    const m = memoryConsent();
    m.raceOnce(() => m.records.set('cus_1/web-1', { ...input(), recordedAt: NOW }));

    const result = await recordConsent(m.ports, input(), LATER);

    expect(result).toEqual({ outcome: 'duplicate', record: { ...input(), recordedAt: NOW } });
    expect(m.outbox).toHaveLength(0);
  });

  it('refuses a record dated in the future beyond clock skew (it would outrank earlier withdrawals)', async () => {
    const m = memoryConsent();

    await expect(
      recordConsent(m.ports, input({ occurredAt: '2099-01-01T00:00:00.000Z' }), NOW),
    ).rejects.toThrow(ConsentRecordRejectedError);
    await expect(
      recordConsent(m.ports, input({ occurredAt: '2026-11-20T08:19:00.000Z' }), NOW),
    ).resolves.toMatchObject({ outcome: 'recorded' });
    expect(m.records.size).toBe(1);
  });
});

describe('Consent: state and the contact check', () => {
  it('reports the state at a time and checks one purpose × channel through a scoped read', async () => {
    const m = memoryConsent();
    await recordConsent(m.ports, input(), NOW);
    await recordConsent(
      m.ports,
      input({
        recordId: 'cc-2',
        status: 'withdrawn',
        source: 'call-centre',
        occurredAt: LATER,
        evidence: undefined,
      }),
      LATER,
    );

    const before = await consentState(m.ports, 'cus_1', NOW);
    const after = await consentState(m.ports, 'cus_1', LATER);
    expect(before.current['marketing/email']?.status).toBe('granted');
    expect(after.current['marketing/email']?.status).toBe('withdrawn');

    expect(await checkContact(m.ports, 'cus_1', 'marketing', 'email', NOW)).toMatchObject({ allowed: true });
    expect(await checkContact(m.ports, 'cus_1', 'marketing', 'email', LATER)).toEqual({
      allowed: false,
      reason: 'withdrawn',
      basis: 'consent',
      recordId: 'cc-2',
    });
    expect(m.scopes.at(-1)).toEqual({ purpose: 'marketing', channel: 'email', asOf: LATER });
  });

  it('denies a customer with no records at all', async () => {
    expect(await checkContact(memoryConsent().ports, 'cus_9', 'service', 'sms', NOW)).toEqual({
      allowed: false,
      reason: 'no-record',
    });
  });
});
