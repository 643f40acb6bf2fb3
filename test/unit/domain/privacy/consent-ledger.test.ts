import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONSENT_PURPOSES,
  CONSENT_STATUSES,
  CONTACT_CHANNELS,
  LEGAL_BASES,
} from '../../../../events/privacy/consent-recorded.v1.ts';
import {
  ConsentCustomerMismatchError,
  type ConsentRecord,
  DEFAULT_LEGAL_BASIS_POLICY,
  foldConsent,
  mayContact,
} from '../../../../shared/domain/privacy/consent-ledger.ts';

const CUSTOMER = 'cus_1';

const record = (overrides: Partial<ConsentRecord> = {}): ConsentRecord => ({
  recordId: 'r-1',
  customerId: CUSTOMER,
  purpose: 'marketing',
  channel: 'email',
  status: 'granted',
  legalBasis: 'consent',
  source: 'web-signup',
  occurredAt: '2026-01-01T00:00:00.000Z',
  recordedAt: '2026-01-01T00:00:01.000Z',
  ...overrides,
});

const NOW = '2026-06-01T00:00:00.000Z';
const check = (records: readonly ConsentRecord[], overrides: Partial<ConsentRecord> = {}, at = NOW) =>
  mayContact(
    foldConsent(CUSTOMER, records, at),
    overrides.purpose ?? 'marketing',
    overrides.channel ?? 'email',
    at,
  );

// Few distinct instants, so that ties (the hard part of the fold) are common.
const instant = fc.integer({ min: 0, max: 5 }).map((m) => `2026-01-01T00:0${m}:00.000Z`);
const arbitraryRecord = fc
  .record({
    recordId: fc.constantFrom('a', 'b', 'c', 'd'),
    purpose: fc.constantFrom('marketing', 'service'),
    channel: fc.constantFrom('email', 'sms'),
    status: fc.constantFrom(...CONSENT_STATUSES),
    legalBasis: fc.constantFrom(...LEGAL_BASES),
    source: fc.constantFrom('web', 'pos'),
    occurredAt: instant,
    recordedAt: instant,
    expiresAt: fc.option(fc.constant('2026-03-01T00:00:00.000Z'), { nil: undefined }),
  })
  .map((r) => ({ ...r, customerId: CUSTOMER }) as ConsentRecord);

describe('Consent ledger: folding', () => {
  it('gives the same state for any order of the same records', () => {
    fc.assert(
      fc.property(
        fc
          .array(arbitraryRecord, { maxLength: 12 })
          .chain((records) =>
            fc.tuple(fc.constant(records), fc.shuffledSubarray(records, { minLength: records.length })),
          ),
        ([records, shuffled]) => {
          expect(foldConsent(CUSTOMER, shuffled)).toEqual(foldConsent(CUSTOMER, records));
          expect(foldConsent(CUSTOMER, shuffled, '2026-01-01T00:02:00.000Z')).toEqual(
            foldConsent(CUSTOMER, records, '2026-01-01T00:02:00.000Z'),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('lets the record that occurred last win, whenever it was recorded', () => {
    const grant = record({ recordId: 'g', occurredAt: '2026-02-01T00:00:00.000Z' });
    // A paper withdrawal signed earlier but typed in later loses to the later online grant.
    const lateWithdrawal = record({
      recordId: 'w',
      status: 'withdrawn',
      occurredAt: '2026-01-15T00:00:00.000Z',
      recordedAt: '2026-03-01T00:00:00.000Z',
    });

    expect(foldConsent(CUSTOMER, [grant, lateWithdrawal]).current['marketing/email']?.recordId).toBe('g');
    expect(check([grant, lateWithdrawal])).toMatchObject({ allowed: true, reason: 'granted' });
  });

  it('lets a withdrawal beat a grant at the same instant, whichever was recorded later or has the greater id', () => {
    const at = '2026-02-01T00:00:00.000Z';
    const withdrawal = record({ recordId: 'a', status: 'withdrawn', occurredAt: at, recordedAt: at });
    const grant = record({ recordId: 'z', occurredAt: at, recordedAt: '2026-02-02T00:00:00.000Z' });

    expect(check([grant, withdrawal])).toEqual({
      allowed: false,
      reason: 'withdrawn',
      basis: 'consent',
      recordId: 'a',
    });
    expect(check([withdrawal, grant]).reason).toBe('withdrawn');
  });

  it('keeps purposes and channels apart', () => {
    const state = foldConsent(CUSTOMER, [
      record({ recordId: 'e', channel: 'email' }),
      record({ recordId: 's', channel: 'sms', status: 'withdrawn' }),
    ]);

    expect(mayContact(state, 'marketing', 'email', NOW).allowed).toBe(true);
    expect(mayContact(state, 'marketing', 'sms', NOW).reason).toBe('withdrawn');
    expect(mayContact(state, 'profiling', 'email', NOW).reason).toBe('no-record');
  });

  it('answers as of a time: records that occurred later do not count yet', () => {
    const grant = record({ recordId: 'g', occurredAt: '2026-01-01T00:00:00.000Z' });
    const withdrawal = record({ recordId: 'w', status: 'withdrawn', occurredAt: '2026-04-01T00:00:00.000Z' });

    expect(check([grant, withdrawal], {}, '2026-03-01T00:00:00.000Z').allowed).toBe(true);
    expect(check([grant, withdrawal], {}, '2026-04-01T00:00:00.000Z').reason).toBe('withdrawn');
    // A state folded without `asOf` and asked about an earlier time refuses rather than guess.
    expect(
      mayContact(foldConsent(CUSTOMER, [grant, withdrawal]), 'marketing', 'email', '2025-12-01T00:00:00.000Z')
        .reason,
    ).toBe('not-yet-in-effect');
  });

  it("refuses to fold another customer's records", () => {
    expect(() => foldConsent(CUSTOMER, [record({ customerId: 'cus_2' })])).toThrow(
      ConsentCustomerMismatchError,
    );
    expect(() =>
      foldConsent({ customerId: CUSTOMER, customerIds: [CUSTOMER, 'cus_2'] }, [
        record({ customerId: 'cus_3' }),
      ]),
    ).toThrow(ConsentCustomerMismatchError);
  });
});

describe('Consent ledger: folding the records of merged customers', () => {
  const PERSON = { customerId: CUSTOMER, customerIds: [CUSTOMER, 'cus_2', 'cus_3'] };
  const owner = fc.constantFrom(...PERSON.customerIds);
  const decisions = (state: ReturnType<typeof foldConsent>) =>
    CONSENT_PURPOSES.flatMap((p) => CONTACT_CHANNELS.map((c) => mayContact(state, p, c, NOW)));

  it('decides as if every record were the survivor’s, in any order, with records repeated across customers', () => {
    fc.assert(
      fc.property(
        fc
          // Each statement under one of the ids, some again under another (a client retrying elsewhere).
          .array(fc.tuple(arbitraryRecord, owner, fc.option(owner, { nil: undefined })), { maxLength: 10 })
          .map((drawn) =>
            drawn.flatMap(([r, customerId, again], i) => [
              { ...r, recordId: `r${i}`, customerId },
              ...(again === undefined ? [] : [{ ...r, recordId: `r${i}`, customerId: again }]),
            ]),
          )
          .chain((records) =>
            fc.tuple(fc.constant(records), fc.shuffledSubarray(records, { minLength: records.length })),
          ),
        ([records, shuffled]) => {
          const folded = foldConsent(PERSON, records);
          expect(foldConsent(PERSON, shuffled)).toEqual(folded);
          expect(folded.customerId).toBe(CUSTOMER);
          const asOne = foldConsent(
            CUSTOMER,
            records.map((r) => ({ ...r, customerId: CUSTOMER })),
          );
          expect(decisions(folded)).toEqual(decisions(asOne));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('lets a withdrawal under a merged id beat a grant under the survivor at the same instant', () => {
    const at = '2026-02-01T00:00:00.000Z';
    const grant = record({ recordId: 'z', occurredAt: at, recordedAt: '2026-02-02T00:00:00.000Z' });
    const withdrawal = record({ recordId: 'a', customerId: 'cus_3', status: 'withdrawn', occurredAt: at });

    for (const records of [
      [grant, withdrawal],
      [withdrawal, grant],
    ])
      expect(mayContact(foldConsent(PERSON, records), 'marketing', 'email', NOW)).toMatchObject({
        allowed: false,
        reason: 'withdrawn',
        recordId: 'a',
      });
  });

  it('picks one of two records with the same id under two customers, the same one whatever the order', () => {
    // Possible when both were stored before the merge: each customer's record ids were its own then.
    const mine = record({ recordId: 'dup' });
    const theirs = record({ recordId: 'dup', customerId: 'cus_2', legalBasis: 'legitimate-interest' });

    const held = foldConsent(PERSON, [mine, theirs]).current['marketing/email'];
    expect(foldConsent(PERSON, [theirs, mine]).current['marketing/email']).toEqual(held);
    expect(held?.recordId).toBe('dup');
  });
});

describe('Consent ledger: mayContact', () => {
  it('denies by default: no record for any purpose and channel is never allowed', () => {
    const empty = foldConsent(CUSTOMER, []);
    for (const purpose of CONSENT_PURPOSES)
      for (const channel of CONTACT_CHANNELS)
        expect(mayContact(empty, purpose, channel, NOW)).toEqual({ allowed: false, reason: 'no-record' });
  });

  it('stops counting a grant at its expiry, to the millisecond', () => {
    const grant = record({ expiresAt: '2026-03-01T00:00:00.000Z' });

    expect(check([grant], {}, '2026-02-28T23:59:59.999Z')).toMatchObject({ allowed: true });
    expect(check([grant], {}, '2026-03-01T00:00:00.000Z')).toMatchObject({
      allowed: false,
      reason: 'expired',
    });
  });

  it('lets a later grant replace an expired one', () => {
    const expired = record({ recordId: 'old', expiresAt: '2026-03-01T00:00:00.000Z' });
    const renewed = record({ recordId: 'new', occurredAt: '2026-04-01T00:00:00.000Z' });

    expect(check([expired, renewed])).toMatchObject({ allowed: true, recordId: 'new' });
  });

  it('allows service messages on a contract, never marketing, profiling or sharing', () => {
    const on = (purpose: ConsentRecord['purpose']) => [record({ purpose, legalBasis: 'contract' })];

    expect(check(on('service'), { purpose: 'service' })).toEqual({
      allowed: true,
      reason: 'permitted-by-basis',
      basis: 'contract',
      recordId: 'r-1',
    });
    for (const purpose of ['marketing', 'profiling', 'sharing'] as const)
      expect(check(on(purpose), { purpose })).toMatchObject({
        allowed: false,
        reason: 'basis-does-not-cover-purpose',
        basis: 'contract',
      });
  });

  it('permits without consent exactly what the default policy lists, and consent permits everything', () => {
    for (const legalBasis of LEGAL_BASES)
      for (const purpose of CONSENT_PURPOSES) {
        const decision = check([record({ purpose, legalBasis })], { purpose });
        expect(decision.allowed, `${legalBasis} → ${purpose}`).toBe(
          DEFAULT_LEGAL_BASIS_POLICY[legalBasis].includes(purpose),
        );
      }
  });

  it('never lets a policy widen marketing, profiling or sharing beyond consent', () => {
    const lax = { ...DEFAULT_LEGAL_BASIS_POLICY, 'legitimate-interest': CONSENT_PURPOSES };
    const state = (purpose: ConsentRecord['purpose']) =>
      foldConsent(CUSTOMER, [record({ purpose, legalBasis: 'legitimate-interest' })]);

    expect(mayContact(state('analytics'), 'analytics', 'email', NOW, lax).allowed).toBe(true);
    expect(mayContact(state('marketing'), 'marketing', 'email', NOW, lax).allowed).toBe(false);
    expect(mayContact(state('sharing'), 'sharing', 'email', NOW, lax).allowed).toBe(false);
  });

  it('treats a withdrawal on any basis as an objection', () => {
    for (const legalBasis of LEGAL_BASES)
      expect(
        check([record({ purpose: 'service', legalBasis, status: 'withdrawn' })], { purpose: 'service' }),
      ).toMatchObject({ allowed: false, reason: 'withdrawn' });
  });
});
