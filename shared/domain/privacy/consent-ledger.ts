import {
  CONSENT_PURPOSES,
  type ConsentPurpose,
  type ConsentRecordedV1,
  type ContactChannel,
  type LegalBasis,
} from '../../../events/privacy/consent-recorded.v1.ts';
import { canonicalJson } from './canonical-json.ts';

/*
 * The consent ledger: every statement a customer (or the law) made about a purpose × contact channel is a
 * record, never overwritten; the state is a fold of the records, and `mayContact` is the one check every
 * send must call.
 *
 * Folding: per purpose × channel the record that occurred last wins (`occurredAt`, when the customer said
 * so — not when c360 heard of it, so a late-arriving paper withdrawal still beats an earlier online grant).
 * At the same instant a withdrawal beats a grant; then the later `recordedAt`, then the greater `recordId`,
 * then the whole record: a total order, so any order of the same records gives the same state.
 *
 * Deny by default. No record: not allowed. A withdrawal: not allowed, whatever the basis (for a
 * non-consent basis it is an objection, GDPR Art. 21). A grant past its `expiresAt`: not allowed. A grant
 * on the basis `consent`: allowed for every purpose. A grant on another basis allows only the purposes
 * that basis can cover (`LegalBasisPolicy`): by default `contract`, `legal-obligation` and `vital-interest`
 * cover `service` messages (order, delivery, ticket, account), `legitimate-interest` covers `service` and
 * `analytics`, `public-task` nothing (a company rarely has one; PIPL has no legitimate interest at all, so
 * a PIPL-only deployment should narrow it). `marketing`, `profiling` and `sharing` need consent whatever a
 * policy says (ePrivacy Art. 13, GDPR Art. 21–22, PIPL Art. 23–24): a policy cannot widen that. Service
 * messages therefore need a record too — the order or account system records its `contract` basis when
 * the contract starts; c360 never assumes one.
 *
 * A person may have several customer ids (identity resolution merged them): their records fold together, as
 * one ledger. The rule above orders any two records whatever customer they were stored under, so the fold is
 * still order-independent, a withdrawal under any of the ids outranks a grant of the same instant, and the
 * same `recordId` under two ids (stored before the merge, or by two requests racing) yields one of them.
 */

/** One record of the ledger (the ConsentRecorded v1 event without its envelope). */
export type ConsentRecord = Omit<ConsentRecordedV1, 'specVersion'>;

export type ConsentKey = `${ConsentPurpose}/${ContactChannel}`;
export const consentKey = (purpose: ConsentPurpose, channel: ContactChannel): ConsentKey =>
  `${purpose}/${channel}`;

/** Whose records are folded: a customer and the customers merged into it (itself among them). */
export type ConsentSubject = {
  /** The customer the state is about: the survivor of the merges. */
  readonly customerId: string;
  /** Every customer id whose records belong to it. */
  readonly customerIds: readonly string[];
};

export type ConsentState = {
  /** The customer the state is about (the survivor when ids were merged). */
  readonly customerId: string;
  /** The record in effect per purpose × channel; a missing key was never recorded. */
  readonly current: Readonly<Partial<Record<ConsentKey, ConsentRecord>>>;
};

/** Purposes that only the customer's consent permits, whatever the policy. */
export const CONSENT_ONLY_PURPOSES: readonly ConsentPurpose[] = ['marketing', 'profiling', 'sharing'];

/** The purposes each legal basis permits without consent (see above). */
export type LegalBasisPolicy = Readonly<Record<LegalBasis, readonly ConsentPurpose[]>>;

export const DEFAULT_LEGAL_BASIS_POLICY: LegalBasisPolicy = {
  consent: CONSENT_PURPOSES,
  contract: ['service'],
  'legal-obligation': ['service'],
  'vital-interest': ['service'],
  'public-task': [],
  'legitimate-interest': ['service', 'analytics'],
};

export class ConsentCustomerMismatchError extends Error {
  override readonly name = 'ConsentCustomerMismatchError';
}

const time = (iso: string): number => Date.parse(iso);
const sign = (n: number): number => (n > 0 ? 1 : n < 0 ? -1 : 0);
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Positive when `a` takes precedence over `b` (see the folding rule above); 0 only for equal records. */
export const compareConsentRecords = (a: ConsentRecord, b: ConsentRecord): number =>
  sign(time(a.occurredAt) - time(b.occurredAt)) ||
  (a.status === b.status ? 0 : a.status === 'withdrawn' ? 1 : -1) ||
  sign(time(a.recordedAt) - time(b.recordedAt)) ||
  compareText(a.recordId, b.recordId) ||
  compareText(canonicalJson(a), canonicalJson(b));

/**
 * The state of one customer's consent from their records — of a customer id alone, or of a subject with the
 * ids merged into it. With `asOf`, records that occurred after it are left out: the state as it stood then
 * (what a send at `asOf` may rely on).
 */
export const foldConsent = (
  subject: string | ConsentSubject,
  records: readonly ConsentRecord[],
  asOf?: string,
): ConsentState => {
  const { customerId, customerIds } =
    typeof subject === 'string' ? { customerId: subject, customerIds: [subject] } : subject;
  const owners = new Set([customerId, ...customerIds]);
  const current: Partial<Record<ConsentKey, ConsentRecord>> = {};
  for (const record of records) {
    if (!owners.has(record.customerId))
      throw new ConsentCustomerMismatchError(`record ${record.recordId} is not customer ${customerId}'s`);
    if (asOf !== undefined && time(record.occurredAt) > time(asOf)) continue;
    const key = consentKey(record.purpose, record.channel);
    const held = current[key];
    if (held === undefined || compareConsentRecords(record, held) > 0) current[key] = record;
  }
  return { customerId, current };
};

export type ContactReason =
  | 'granted'
  | 'permitted-by-basis'
  | 'no-record'
  | 'withdrawn'
  | 'expired'
  | 'not-yet-in-effect'
  | 'basis-does-not-cover-purpose'
  /** The customer was erased on a data-subject request: nobody may contact them on c360's word. */
  | 'erased';

export type ContactDecision = {
  readonly allowed: boolean;
  readonly reason: ContactReason;
  /** The legal basis of the record that decided, when there is one. */
  readonly basis?: LegalBasis;
  /** The record that decided, for the audit trail. */
  readonly recordId?: string;
};

/** Whether a legal basis other than consent can stand for `purpose` under `policy`. */
const basisCovers = (basis: LegalBasis, purpose: ConsentPurpose, policy: LegalBasisPolicy): boolean =>
  basis === 'consent' || (!CONSENT_ONLY_PURPOSES.includes(purpose) && policy[basis].includes(purpose));

/**
 * THE check: may this customer be contacted (or processed) for `purpose` on `channel` at `at`? Every send
 * calls it with the state folded as of `at` (`foldConsent(…, at)`).
 */
export const mayContact = (
  state: ConsentState,
  purpose: ConsentPurpose,
  channel: ContactChannel,
  at: string,
  policy: LegalBasisPolicy = DEFAULT_LEGAL_BASIS_POLICY,
): ContactDecision => {
  const record = state.current[consentKey(purpose, channel)];
  if (record === undefined) return { allowed: false, reason: 'no-record' };
  const decided = (allowed: boolean, reason: ContactReason): ContactDecision => ({
    allowed,
    reason,
    basis: record.legalBasis,
    recordId: record.recordId,
  });
  if (time(record.occurredAt) > time(at)) return decided(false, 'not-yet-in-effect');
  if (record.status === 'withdrawn') return decided(false, 'withdrawn');
  if (record.expiresAt !== undefined && time(at) >= time(record.expiresAt)) return decided(false, 'expired');
  if (!basisCovers(record.legalBasis, purpose, policy)) return decided(false, 'basis-does-not-cover-purpose');
  return decided(true, record.legalBasis === 'consent' ? 'granted' : 'permitted-by-basis');
};
