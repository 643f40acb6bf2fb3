import { describe, expect, it } from 'vitest';
import { consentGrantedFixture } from '../../../../events/fixtures/consent-recorded.v1.fixture.ts';
import type {
  ConsentRecordedV1,
  ConsentRecordInput,
} from '../../../../events/privacy/consent-recorded.v1.ts';
import { parseConsentRecorded } from '../../../../events/privacy/consent-recorded.v1.ts';
import type { ConsentRecord } from '../../../../shared/domain/privacy/consent-ledger.ts';
import { CustomerErasedError } from '../../../../shared/use-cases/identity/read-customer.use-case.ts';
import {
  type ConsentPerson,
  type ConsentPorts,
  ConsentRecordConflictError,
  ConsentRecordRejectedError,
  checkContact,
  consentState,
  recordConsent,
} from '../../../../shared/use-cases/privacy/consent.use-case.ts';

/**
 * The ledger and outbox in memory, with the table's once-per-record-id transaction, and an identity graph:
 * `mergedInto` (merged id → survivor) and the erased ids.
 */
const memoryConsent = () => {
  const records = new Map<string, ConsentRecord>();
  const outbox: ConsentRecordedV1[] = [];
  const scopes: unknown[] = [];
  const mergedInto = new Map<string, string>();
  const erased = new Map<string, string>();
  let interleave: (() => void) | undefined;
  const person = async (customerId: string): Promise<ConsentPerson> => {
    let survivor = customerId;
    for (let next = mergedInto.get(survivor); next !== undefined; next = mergedInto.get(survivor))
      survivor = next;
    const erasedAt = erased.get(survivor);
    if (erasedAt !== undefined) return { customerId: survivor, customerIds: [survivor], erasedAt };
    const customerIds = [survivor];
    for (const id of customerIds)
      for (const [merged, into] of mergedInto) if (into === id) customerIds.push(merged);
    return { customerId: survivor, customerIds };
  };
  const ports: ConsentPorts = {
    consentRecords: async (customerId, scope) => {
      scopes.push(scope);
      const p = await person(customerId);
      const of = new Set(p.erasedAt === undefined ? p.customerIds : []);
      return { person: p, records: [...records.values()].filter((r) => of.has(r.customerId)) };
    },
    person,
    consentRecord: async (customerIds, recordId) =>
      customerIds.map((id) => records.get(`${id}/${recordId}`)).find((r) => r !== undefined),
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
  return {
    ports,
    records,
    outbox,
    scopes,
    mergedInto,
    erased,
    raceOnce: (fn: () => void) => (interleave = fn),
  };
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

describe('Consent: the person behind merged customer ids', () => {
  const grant = input({ recordId: 'web-a', customerId: 'cus_a', occurredAt: '2026-11-20T08:00:00.000Z' });
  const withdrawal = input({
    recordId: 'cc-b',
    customerId: 'cus_b',
    status: 'withdrawn',
    source: 'call-centre',
    occurredAt: '2026-11-20T08:10:00.000Z',
    evidence: undefined,
  });

  it("folds a withdrawal given under a merged id into the survivor's state, and answers for the survivor", async () => {
    const m = memoryConsent();
    await recordConsent(m.ports, grant, NOW);
    await recordConsent(m.ports, withdrawal, NOW);
    expect(await checkContact(m.ports, 'cus_a', 'marketing', 'email', LATER)).toMatchObject({
      allowed: true,
    });

    m.mergedInto.set('cus_b', 'cus_a');

    const survivor = await consentState(m.ports, 'cus_a', LATER);
    expect(survivor).toMatchObject({
      customerId: 'cus_a',
      current: { 'marketing/email': { recordId: 'cc-b' } },
    });
    expect(survivor.mergedFrom).toBeUndefined();
    expect(await consentState(m.ports, 'cus_b', LATER)).toEqual({ ...survivor, mergedFrom: 'cus_b' });
    for (const id of ['cus_a', 'cus_b'])
      expect(await checkContact(m.ports, id, 'marketing', 'email', LATER)).toMatchObject({
        allowed: false,
        reason: 'withdrawn',
        recordId: 'cc-b',
      });
  });

  it('follows merges of merges, both ways', async () => {
    const m = memoryConsent();
    await recordConsent(m.ports, input({ ...withdrawal, customerId: 'cus_c' }), NOW);
    m.mergedInto.set('cus_c', 'cus_b');
    m.mergedInto.set('cus_b', 'cus_a');

    const state = await consentState(m.ports, 'cus_b', LATER);
    expect(state).toMatchObject({ customerId: 'cus_a', mergedFrom: 'cus_b' });
    expect(state.current['marketing/email']?.customerId).toBe('cus_c');
  });

  it('stores a record under the merged id it names, so an unmerge gives it back to that id', async () => {
    const m = memoryConsent();
    await recordConsent(m.ports, grant, NOW);
    m.mergedInto.set('cus_b', 'cus_a');

    const result = await recordConsent(m.ports, withdrawal, NOW);
    expect(result.record.customerId).toBe('cus_b');
    expect(m.outbox.at(-1)?.customerId).toBe('cus_b');
    expect((await checkContact(m.ports, 'cus_a', 'marketing', 'email', LATER)).reason).toBe('withdrawn');

    m.mergedInto.delete('cus_b');

    expect(await checkContact(m.ports, 'cus_a', 'marketing', 'email', LATER)).toMatchObject({
      allowed: true,
    });
    expect((await checkContact(m.ports, 'cus_b', 'marketing', 'email', LATER)).reason).toBe('withdrawn');
  });

  it('takes a record id again under another id of the person as a retry, other content as a conflict', async () => {
    const m = memoryConsent();
    await recordConsent(m.ports, withdrawal, NOW);
    m.mergedInto.set('cus_b', 'cus_a');

    const retried = await recordConsent(m.ports, { ...withdrawal, customerId: 'cus_a' }, LATER);
    expect(retried).toEqual({ outcome: 'duplicate', record: { ...withdrawal, recordedAt: NOW } });
    await expect(
      recordConsent(m.ports, { ...withdrawal, customerId: 'cus_a', channel: 'sms' }, LATER),
    ).rejects.toThrow(ConsentRecordConflictError);
    expect(m.outbox).toHaveLength(1);
  });

  it('refuses to read or record for an erased person, and never lets a send through', async () => {
    const m = memoryConsent();
    await recordConsent(m.ports, grant, NOW);
    m.mergedInto.set('cus_b', 'cus_a');
    m.erased.set('cus_a', LATER);

    await expect(consentState(m.ports, 'cus_b', LATER)).rejects.toThrow(CustomerErasedError);
    await expect(recordConsent(m.ports, withdrawal, LATER)).rejects.toThrow(CustomerErasedError);
    expect(await checkContact(m.ports, 'cus_a', 'marketing', 'email', LATER)).toEqual({
      allowed: false,
      reason: 'erased',
    });
    expect(m.outbox).toHaveLength(1);
  });
});
