import type { CustomerErasedV1 } from '../../../events/privacy/customer-erased.v1.ts';
import type {
  SubjectRequestFiledV1,
  SubjectRequestKind,
} from '../../../events/privacy/subject-request-filed.v1.ts';
import {
  type ErasureCounts,
  exportBundleOf,
  exportCounts,
  type PersonData,
  type PersonScope,
  receiptOf,
  type SubjectRequest,
  type SubjectRequestReceipt,
} from '../../domain/privacy/subject-request.ts';

/*
 * Data-subject requests, from filing to receipt. Filing stores the request with SubjectRequestFiled in the
 * outbox (one transaction); the bus starts the DataSubjectRequest workflow, whose tasks are the steps below.
 * Every step is idempotent: Step Functions retries a failed task, and the bus may start a second execution
 * for the same request, so a step that already ran finds nothing left to do and says so.
 */

export type SubjectRequestPorts = {
  readonly request: (requestId: string) => Promise<SubjectRequest | undefined>;
  /** Stores a new request with SubjectRequestFiled in the outbox, in one transaction; false if it exists. */
  readonly file: (request: SubjectRequest, event: SubjectRequestFiledV1) => Promise<boolean>;
  /**
   * Claims the request for one workflow execution and marks it running with the customers it covers (a
   * request keeps its first start time and customers). False when another execution holds it: a second
   * delivery of SubjectRequestFiled started a second execution, which must stand down.
   */
  readonly start: (
    requestId: string,
    executionId: string,
    customerIds: readonly string[],
    at: string,
  ) => Promise<boolean>;
  /** Adds to its counts. */
  readonly count: (requestId: string, counts: Readonly<Record<string, number>>) => Promise<void>;
  readonly bundleWritten: (requestId: string, bundleKey: string) => Promise<void>;
  /**
   * Completes a running request with its receipt, and CustomerErased in the outbox when given, in one
   * transaction; false when it was not running (already completed: a retry).
   */
  readonly complete: (
    requestId: string,
    receipt: SubjectRequestReceipt,
    erased: CustomerErasedV1 | undefined,
  ) => Promise<boolean>;
  /** Marks a request that is not completed as failed. */
  readonly fail: (requestId: string, failure: NonNullable<SubjectRequest['failure']>) => Promise<void>;
};

/** Everything c360 holds about a person, as the erasure and export steps reach it. */
export type PersonDataPorts = {
  /** The customer an id is now (following merges) with every customer merged into it; none when unknown. */
  readonly scope: (customerId: string) => Promise<PersonScope | undefined>;
  /** Removes the identifier indexes (hashed e-mail, phone, …) that lead to these customers; how many. */
  readonly unlinkIdentifiers: (customerIds: readonly string[]) => Promise<number>;
  /** Replaces each customer record by a tombstone: reads answer 410, identity resolution skips it. */
  readonly tombstone: (customerIds: readonly string[], requestId: string, at: string) => Promise<void>;
  /** Deletes the export bundles made for these customers earlier (they hold personal data in clear). */
  readonly deleteExportBundles: (customerIds: readonly string[]) => Promise<number>;
  /** Destroys each customer's data key (crypto-shredding); how many keys existed. */
  readonly destroyKeys: (customerIds: readonly string[]) => Promise<number>;
  /** Deletes one bounded page of what is left; `cursor` continues, none when everything is gone. */
  readonly purge: (
    customerIds: readonly string[],
    cursor: string | undefined,
  ) => Promise<{ readonly counts: ErasureCounts; readonly cursor?: string }>;
  /** Collects and opens everything held about these customers. */
  readonly collect: (customerIds: readonly string[]) => Promise<PersonData>;
  /** Stores a request's export bundle; its key. */
  readonly writeBundle: (requestId: string, bundle: unknown) => Promise<string>;
};

/** The request cannot be carried out as filed (not retried by the workflow). */
export class SubjectRequestRefusedError extends Error {
  override readonly name = 'SubjectRequestRefusedError';
}

export class SubjectRequestNotFoundError extends Error {
  override readonly name = 'SubjectRequestNotFoundError';
}

export type FileSubjectRequestInput = {
  readonly kind: SubjectRequestKind;
  readonly customerId: string;
  readonly filedBy: string;
};

/**
 * Files a request for a known customer (an export of an erased one finds nothing; an erasure of an erased
 * one sweeps again). Returns the stored request: `filed` until the workflow starts it.
 */
export const fileSubjectRequest = async (
  ports: SubjectRequestPorts & Pick<PersonDataPorts, 'scope'>,
  input: FileSubjectRequestInput,
  requestId: string,
  now: string,
): Promise<SubjectRequest> => {
  const scope = await ports.scope(input.customerId);
  if (!scope) throw new SubjectRequestNotFoundError(`No customer ${input.customerId}`);
  // An erasure of an erased customer is a sweep: it finds what a failed or timed-out run left, or nothing.
  const request: SubjectRequest = {
    requestId,
    kind: input.kind,
    customerId: input.customerId,
    status: 'filed',
    filedBy: input.filedBy,
    filedAt: now,
  };
  const event: SubjectRequestFiledV1 = {
    specVersion: '1',
    requestId,
    kind: input.kind,
    customerId: input.customerId,
    filedBy: input.filedBy,
    filedAt: now,
  };
  if (!(await ports.file(request, event)))
    throw new SubjectRequestRefusedError(`Request ${requestId} exists already`);
  return request;
};

const requestOrThrow = async (ports: SubjectRequestPorts, requestId: string): Promise<SubjectRequest> => {
  const request = await ports.request(requestId);
  if (!request) throw new SubjectRequestNotFoundError(`No data-subject request ${requestId}`);
  return request;
};

/**
 * Step `plan`: the customers the request covers, and the request claimed by this execution. `duplicate`
 * when another execution holds it. A failed request is planned again (the workflow redriven): every step
 * after the plan finds only what is left.
 */
export const planSubjectRequest = async (
  ports: SubjectRequestPorts & Pick<PersonDataPorts, 'scope'>,
  requestId: string,
  executionId: string,
  now: string,
): Promise<{
  readonly requestId: string;
  readonly kind: SubjectRequestKind | 'duplicate';
  readonly customerIds: string[];
}> => {
  const request = await requestOrThrow(ports, requestId);
  if (request.status === 'completed')
    throw new SubjectRequestRefusedError(`Request ${requestId} is completed already`);
  // A retried plan keeps the customers of the first (a merge since then must not widen an erasure midway).
  const customerIds = request.customerIds ??
    (await ports.scope(request.customerId))?.customerIds ?? [request.customerId];
  const claimed = await ports.start(requestId, executionId, customerIds, now);
  return { requestId, kind: claimed ? request.kind : 'duplicate', customerIds: [...customerIds] };
};

/**
 * Step `destroy-keys`: the identifier indexes removed (nothing new can be linked to the person), the
 * customer records tombstoned, then their keys destroyed — from here on the personal data is unreadable —
 * and earlier export bundles (in clear) deleted.
 */
export const destroyPersonKeys = async (
  ports: SubjectRequestPorts & PersonDataPorts,
  requestId: string,
  customerIds: readonly string[],
  now: string,
): Promise<void> => {
  const identifierIndexes = await ports.unlinkIdentifiers(customerIds);
  await ports.tombstone(customerIds, requestId, now);
  const customerKeys = await ports.destroyKeys(customerIds);
  const exportBundles = await ports.deleteExportBundles(customerIds);
  await ports.count(requestId, { identifierIndexes, customerKeys, exportBundles });
};

/** Step `purge`: one bounded page of deletions; `done` when nothing is left. */
export const purgePersonData = async (
  ports: SubjectRequestPorts & PersonDataPorts,
  requestId: string,
  customerIds: readonly string[],
  cursor: string | undefined,
): Promise<{ readonly done: boolean; readonly cursor: string | null }> => {
  const page = await ports.purge(customerIds, cursor);
  const counts = Object.fromEntries(Object.entries(page.counts).filter(([, n]) => n !== undefined && n > 0));
  if (Object.keys(counts).length > 0) await ports.count(requestId, counts as Record<string, number>);
  return { done: page.cursor === undefined, cursor: page.cursor ?? null };
};

/** Step `export`: the bundle collected, opened and stored; the request knows where. */
export const exportPersonData = async (
  ports: SubjectRequestPorts & PersonDataPorts,
  requestId: string,
  customerIds: readonly string[],
  now: string,
): Promise<void> => {
  const request = await requestOrThrow(ports, requestId);
  if (request.bundleKey) return;
  const data = await ports.collect(customerIds);
  const bundleKey = await ports.writeBundle(requestId, exportBundleOf(request, data, now));
  await ports.count(requestId, exportCounts(data));
  await ports.bundleWritten(requestId, bundleKey);
};

/**
 * Step `complete`: the receipt. For an erasure the keys are destroyed once more first, and export bundles
 * deleted again: a value sealed by an event that raced the erasure (under a key created after the first
 * destruction) goes with it, and so does a bundle an export running alongside wrote late.
 */
export const completeSubjectRequest = async (
  ports: SubjectRequestPorts & Pick<PersonDataPorts, 'destroyKeys' | 'deleteExportBundles'>,
  requestId: string,
  customerIds: readonly string[],
  now: string,
): Promise<SubjectRequestReceipt> => {
  const request = await requestOrThrow(ports, requestId);
  if (request.status === 'completed' && request.receipt) return request.receipt;
  if (request.kind === 'erasure') {
    const late = await ports.destroyKeys(customerIds);
    const lateBundles = await ports.deleteExportBundles(customerIds);
    if (late + lateBundles > 0)
      await ports.count(requestId, { customerKeys: late, exportBundles: lateBundles });
  }
  const counted = await requestOrThrow(ports, requestId);
  const receipt = receiptOf(counted, customerIds, now);
  const erased: CustomerErasedV1 | undefined =
    request.kind === 'erasure'
      ? {
          specVersion: '1',
          requestId,
          customerId: request.customerId,
          erasedCustomerIds: [...customerIds],
          erasedAt: now,
        }
      : undefined;
  if (await ports.complete(requestId, receipt, erased)) return receipt;
  const stored = await requestOrThrow(ports, requestId);
  if (stored.receipt) return stored.receipt;
  throw new SubjectRequestRefusedError(`Request ${requestId} could not be completed (${stored.status})`);
};

/** Step `fail`: what went wrong, for whoever follows the request. */
export const failSubjectRequest = async (
  ports: SubjectRequestPorts,
  requestId: string,
  error: { readonly Error?: string; readonly Cause?: string },
  now: string,
): Promise<void> => {
  await ports.fail(requestId, {
    error: (error.Error ?? 'Unknown').slice(0, 256),
    cause: (error.Cause ?? '').slice(0, 2048),
    at: now,
  });
};
