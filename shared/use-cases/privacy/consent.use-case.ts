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
  type ContactDecision,
  DEFAULT_LEGAL_BASIS_POLICY,
  foldConsent,
  type LegalBasisPolicy,
  mayContact,
} from '../../domain/privacy/consent-ledger.ts';

/** Narrows a read to one purpose × channel as it stood at `asOf` (what a send check needs). */
export type ConsentScope = {
  readonly purpose: ConsentPurpose;
  readonly channel: ContactChannel;
  readonly asOf: string;
};

export type ConsentPorts = {
  /** A customer's records, all or those of `scope` (a store may return more: the fold filters again). */
  readonly consentRecords: (customerId: string, scope?: ConsentScope) => Promise<readonly ConsentRecord[]>;
  /** The record stored under a client-supplied id, if any. */
  readonly consentRecord: (customerId: string, recordId: string) => Promise<ConsentRecord | undefined>;
  /**
   * Stores the record, once per `recordId`, with ConsentRecorded in the outbox, in one transaction. False
   * when nothing was written (the id is taken, or the transaction lost a race).
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

/** The client's part of a record, to compare a retry with what is stored. */
const sameRequest = (stored: ConsentRecord, input: ConsentRecordInput): boolean => {
  const { recordedAt: _r, ...requested } = stored;
  return canonicalJson(requested) === canonicalJson(input);
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
    const existing = await ports.consentRecord(input.customerId, input.recordId);
    if (existing !== undefined) {
      if (!sameRequest(existing, input))
        throw new ConsentRecordConflictError(`record ${input.recordId} exists with other content`);
      return { outcome: 'duplicate', record: existing };
    }
    if (await ports.saveConsent(record, event)) return { outcome: 'recorded', record };
  }
  throw new ConsentContentionError(`record ${input.recordId}: gave up after ${ATTEMPTS} attempts`);
};

/** A customer's consent as it stands at `at`: the record in effect per purpose × channel. */
export const consentState = async (
  ports: Pick<ConsentPorts, 'consentRecords'>,
  customerId: string,
  at: string,
): Promise<ConsentState> => foldConsent(customerId, await ports.consentRecords(customerId), at);

/** The check every send calls: may `customerId` be contacted for `purpose` on `channel` at `at`? */
export const checkContact = async (
  ports: Pick<ConsentPorts, 'consentRecords'>,
  customerId: string,
  purpose: ConsentPurpose,
  channel: ContactChannel,
  at: string,
  policy: LegalBasisPolicy = DEFAULT_LEGAL_BASIS_POLICY,
): Promise<ContactDecision> => {
  const records = await ports.consentRecords(customerId, { purpose, channel, asOf: at });
  return mayContact(foldConsent(customerId, records, at), purpose, channel, at, policy);
};
