import type {
  ConsentPurpose,
  ConsentRecordedV1,
  ConsentRecordInput,
  ContactChannel,
} from '../../../events/privacy/consent-recorded.v1.ts';
import { canonicalJson } from '../../domain/privacy/canonical-json.ts';
import {
  type ConsentRecord,
  type ConsentState,
  type ConsentSubject,
  type ContactDecision,
  DEFAULT_LEGAL_BASIS_POLICY,
  foldConsent,
  type LegalBasisPolicy,
  mayContact,
} from '../../domain/privacy/consent-ledger.ts';
import { CustomerErasedError } from '../identity/read-customer.use-case.ts';

/** Narrows a read to one purpose × channel as it stood at `asOf` (what a send check needs). */
export type ConsentScope = {
  readonly purpose: ConsentPurpose;
  readonly channel: ContactChannel;
  readonly asOf: string;
};

/**
 * The person a customer id stands for now: followed through merges to the survivor (`customerId`), with
 * every customer merged into it (`customerIds`, the survivor first). An id c360 has no customer record for
 * stands for itself alone.
 */
export type ConsentPerson = ConsentSubject & {
  /** Set when the person was erased on a data-subject request. */
  readonly erasedAt?: string;
};

export type ConsentPorts = {
  /**
   * The person `customerId` stands for and the records of all their customer ids, all or those of `scope`
   * (a store may return more: the fold filters again). One call, so that a store can read the person and
   * the records together: it is on the path of every send.
   */
  readonly consentRecords: (
    customerId: string,
    scope?: ConsentScope,
  ) => Promise<{ readonly person: ConsentPerson; readonly records: readonly ConsentRecord[] }>;
  /** The person `customerId` stands for (see `consentRecords`), without their records. */
  readonly person: (customerId: string) => Promise<ConsentPerson>;
  /** The record stored under a client-supplied id under any of `customerIds`, if any. */
  readonly consentRecord: (
    customerIds: readonly string[],
    recordId: string,
  ) => Promise<ConsentRecord | undefined>;
  /**
   * Stores the record under its `customerId`, once per `recordId`, with ConsentRecorded in the outbox, in
   * one transaction, unless that customer is erased. False when nothing was written (the id is taken, the
   * customer was erased meanwhile, or the transaction lost a race).
   */
  readonly saveConsent: (record: ConsentRecord, event: ConsentRecordedV1) => Promise<boolean>;
};

/** The same `recordId` came again with other content: a client bug, never silently accepted. */
export class ConsentRecordConflictError extends Error {
  override readonly name = 'ConsentRecordConflictError';
}

/** A record c360 must not store (see `recordConsent`). */
export class ConsentRecordRejectedError extends Error {
  override readonly name = 'ConsentRecordRejectedError';
}

export class ConsentContentionError extends Error {
  override readonly name = 'ConsentContentionError';
}

/**
 * How far in the future `occurredAt` may be (clock skew). A grant dated later than that would outrank
 * every withdrawal made before its date: refused.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const ATTEMPTS = 3;

/**
 * The client's part of a record, to compare a retry with what is stored. The customer id is left out: the
 * stored record is one of the same person's (a retry may name the survivor of a merge, or a merged id).
 */
const sameRequest = (stored: ConsentRecord, input: ConsentRecordInput): boolean => {
  const { recordedAt: _r, customerId: _s, ...requested } = stored;
  const { customerId: _i, ...asked } = input;
  return canonicalJson(requested) === canonicalJson(asked);
};

export type RecordConsentResult = {
  /** `duplicate`: the record was stored before (a retry); nothing was written, no event. */
  readonly outcome: 'recorded' | 'duplicate';
  readonly record: ConsentRecord;
};

/**
 * Appends a record to the ledger, idempotent by its `recordId`: the same record again is a `duplicate`,
 * other content under the same id a `ConsentRecordConflictError`. ConsentRecorded goes out through the
 * outbox in the same transaction. `now` is when c360 received it (its `recordedAt`).
 *
 * Primary course:
 * 1. Refuse a record dated beyond the clock skew.
 * 2. Resolve the person the customer id stands for; an erased person is a `CustomerErasedError`.
 * 3. Look for the `recordId` under every id of the person: found, it is a retry (or a conflict).
 * 4. Store the record under the customer id it names — not the survivor's: the fold of the person reads it
 *    there while the ids are merged, and an unmerge gives it back to that id with nothing to move.
 */
export const recordConsent = async (
  ports: ConsentPorts,
  input: ConsentRecordInput,
  now: string,
): Promise<RecordConsentResult> => {
  if (Date.parse(input.occurredAt) > Date.parse(now) + MAX_CLOCK_SKEW_MS)
    throw new ConsentRecordRejectedError(`occurredAt ${input.occurredAt} is in the future`);
  const record: ConsentRecord = { ...input, recordedAt: now };
  const event: ConsentRecordedV1 = { specVersion: '1', ...record };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const person = await ports.person(input.customerId);
    if (person.erasedAt !== undefined) throw new CustomerErasedError(input.customerId, person.erasedAt);
    const existing = await ports.consentRecord(person.customerIds, input.recordId);
    if (existing !== undefined) {
      if (!sameRequest(existing, input))
        throw new ConsentRecordConflictError(`record ${input.recordId} exists with other content`);
      return { outcome: 'duplicate', record: existing };
    }
    if (await ports.saveConsent(record, event)) return { outcome: 'recorded', record };
  }
  throw new ConsentContentionError(`record ${input.recordId}: gave up after ${ATTEMPTS} attempts`);
};

/** A person's consent as it stands at `at`, and the id it was asked for when that was merged away. */
export type PersonConsentState = ConsentState & {
  /** Set when the id asked for was merged into `customerId`. */
  readonly mergedFrom?: string;
};

/**
 * A customer's consent as it stands at `at`: the record in effect per purpose × channel, over the records
 * of every id of the person (see `ConsentPorts.consentRecords`). A `CustomerErasedError` when erased.
 */
export const consentState = async (
  ports: Pick<ConsentPorts, 'consentRecords'>,
  customerId: string,
  at: string,
): Promise<PersonConsentState> => {
  const { person, records } = await ports.consentRecords(customerId);
  if (person.erasedAt !== undefined) throw new CustomerErasedError(customerId, person.erasedAt);
  return {
    ...foldConsent(person, records, at),
    ...(person.customerId !== customerId ? { mergedFrom: customerId } : {}),
  };
};

/**
 * The check every send calls: may `customerId` be contacted for `purpose` on `channel` at `at`? Decided on
 * the records of every id of the person; never for an erased person.
 */
export const checkContact = async (
  ports: Pick<ConsentPorts, 'consentRecords'>,
  customerId: string,
  purpose: ConsentPurpose,
  channel: ContactChannel,
  at: string,
  policy: LegalBasisPolicy = DEFAULT_LEGAL_BASIS_POLICY,
): Promise<ContactDecision> => {
  const { person, records } = await ports.consentRecords(customerId, { purpose, channel, asOf: at });
  if (person.erasedAt !== undefined) return { allowed: false, reason: 'erased' };
  return mayContact(foldConsent(person, records, at), purpose, channel, at, policy);
};
