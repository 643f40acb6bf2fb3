import { z } from 'zod';
import { parseContract } from '../zod-issue.formatter.ts';

/*
 * consent-recorded v1 (detail-type `ConsentRecorded`, source `c360`): one statement about whether a customer
 * may be processed for a purpose on a contact channel — granted or withdrawn, on which legal basis, from
 * which touchpoint, when. The consent ledger keeps every record; the current state is a fold of them
 * (`shared/domain/privacy/consent-ledger.ts`). Pseudonymous: the customer id, never a contact value (no
 * e-mail address, no phone number, not even in the evidence reference). Compatibility: additive changes
 * stay v1; anything else is v2.
 *
 * `consentRecordInput` is the same record as a client sends it (an API body): `recordId` is the client's
 * idempotency key, `recordedAt` is set by c360.
 */
export const CONSENT_RECORDED_DETAIL_TYPE = 'ConsentRecorded';

/**
 * What the data is used for. `service` is the customer's own business with us (order, delivery, ticket and
 * account messages): the one purpose a contract or a legal obligation covers without consent.
 */
export const CONSENT_PURPOSES = ['marketing', 'profiling', 'analytics', 'sharing', 'service'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** How a customer is reached. */
export const CONTACT_CHANNELS = ['sms', 'email', 'push', 'phone', 'wechat'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

/** GDPR Art. 6(1)(a)–(f); PIPL Art. 13 has the same except legitimate interest. */
export const LEGAL_BASES = [
  'consent',
  'contract',
  'legal-obligation',
  'vital-interest',
  'public-task',
  'legitimate-interest',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export const CONSENT_STATUSES = ['granted', 'withdrawn'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

export const EVIDENCE_KINDS = [
  'web-form',
  'app-form',
  'paper-form',
  'call-recording',
  'double-opt-in',
  'import',
  'other',
] as const;

/** Ids end up in table keys (`#`-separated): letters, digits and `._:-` only. */
const keySafeId = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9._:-]+$/, 'expected letters, digits or . _ : -');

/** A heuristic against contact values in free text: an e-mail address, an international or CN mobile number. */
const EMAIL_LIKE = /[^\s@]+@[^\s@]+\.[^\s@]+/;
const PHONE_LIKE = /\+\d[\d\s-]{6,}\d|(?<!\d)1[3-9]\d{9}(?!\d)/;
const timestamp = z.iso.datetime({ precision: 3 });
const expiresAfterOccurred = (r: { readonly occurredAt: string; readonly expiresAt?: string | undefined }) =>
  r.expiresAt === undefined || r.expiresAt > r.occurredAt;
const expiryIssue = { message: 'expected expiresAt after occurredAt', path: ['expiresAt'] };

export const consentRecordInput = z
  .strictObject({
    /** The client's idempotency key: sending the same record again stores it once. */
    recordId: keySafeId(128),
    customerId: keySafeId(128),
    purpose: z.enum(CONSENT_PURPOSES),
    channel: z.enum(CONTACT_CHANNELS),
    status: z.enum(CONSENT_STATUSES),
    legalBasis: z.enum(LEGAL_BASES),
    /** The touchpoint that captured it, e.g. `web-signup`, `pos`, `call-centre`. */
    source: keySafeId(64),
    /** When the customer said so (may be earlier than when c360 heard of it). */
    occurredAt: timestamp,
    /** Where the proof is kept: the kind and a reference to it (a form version, a recording id). */
    evidence: z
      .strictObject({
        kind: z.enum(EVIDENCE_KINDS),
        reference: z
          .string()
          .min(1)
          .max(256)
          .refine((s) => !EMAIL_LIKE.test(s) && !PHONE_LIKE.test(s), 'must not contain a contact value'),
      })
      .optional(),
    /** A grant stops counting at this instant (a consent given for a campaign, a year, …). */
    expiresAt: timestamp.optional(),
  })
  .refine(expiresAfterOccurred, expiryIssue);
export type ConsentRecordInput = z.infer<typeof consentRecordInput>;

export const consentRecordedV1 = z
  .strictObject({
    specVersion: z.literal('1'),
    ...consentRecordInput.shape,
    /** When c360 stored it. */
    recordedAt: timestamp,
  })
  .refine(expiresAfterOccurred, expiryIssue);
export type ConsentRecordedV1 = z.infer<typeof consentRecordedV1>;

export const parseConsentRecordInput = (
  input: unknown,
):
  | { readonly ok: true; readonly record: ConsentRecordInput }
  | { readonly ok: false; readonly reasons: string[] } => {
  const result = parseContract(consentRecordInput, input);
  return result.ok ? { ok: true, record: result.value } : result;
};

export const parseConsentRecorded = (
  input: unknown,
):
  | { readonly ok: true; readonly event: ConsentRecordedV1 }
  | { readonly ok: false; readonly reasons: string[] } => {
  const result = parseContract(consentRecordedV1, input);
  return result.ok ? { ok: true, event: result.value } : result;
};
