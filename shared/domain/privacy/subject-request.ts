import type { SubjectRequestKind } from '../../../events/privacy/subject-request-filed.v1.ts';

/*
 * A data-subject request: a person asks for everything c360 holds about them (export) or for its erasure.
 * An admin files it for the person's customer id; a workflow carries it out step by step and ends it with
 * a receipt. Status moves forward only: filed → running → completed | failed.
 */

export type SubjectRequestStatus = 'filed' | 'running' | 'completed' | 'failed';

/** What one erasure removed, by kind of item (each counted once, however often a step was retried). */
export const ERASED_ITEM_KINDS = [
  'customerKeys',
  'exportBundles',
  'identifierIndexes',
  'identityLinks',
  'timelineEvents',
  'handOverCopies',
  'profiles',
  'scores',
  'segmentMemberships',
  'consentRecords',
  'blockingKeys',
  'suggestedMatches',
  'mergeRecords',
  'otherItems',
] as const;
export type ErasedItemKind = (typeof ERASED_ITEM_KINDS)[number];
export type ErasureCounts = Readonly<Partial<Record<ErasedItemKind, number>>>;

/** The proof a request was carried out: what, for whom (pseudonymous ids), by whom, when, and how much. */
export type SubjectRequestReceipt = {
  readonly requestId: string;
  readonly kind: SubjectRequestKind;
  readonly customerId: string;
  /** Every customer id covered: the person's customer and the customers merged into it. */
  readonly customerIds: readonly string[];
  readonly filedBy: string;
  readonly filedAt: string;
  readonly completedAt: string;
  /** What was done, in the order it was done, in words. */
  readonly actions: readonly string[];
  /** Erasure: items removed per kind. Export: items exported per section. */
  readonly counts: Readonly<Record<string, number>>;
};

export type SubjectRequest = {
  readonly requestId: string;
  readonly kind: SubjectRequestKind;
  readonly customerId: string;
  readonly status: SubjectRequestStatus;
  readonly filedBy: string;
  readonly filedAt: string;
  readonly startedAt?: string;
  /** The workflow execution that holds the request (a second delivery's execution stands down). */
  readonly executionId?: string;
  readonly customerIds?: readonly string[];
  readonly counts?: Readonly<Record<string, number>>;
  /** Export: where the bundle is (an object key of the export bucket). */
  readonly bundleKey?: string;
  /** Export: when an erasure of the person deleted the bundle. */
  readonly bundleDeletedAt?: string;
  readonly receipt?: SubjectRequestReceipt;
  readonly failure?: { readonly error: string; readonly cause: string; readonly at: string };
};

/** The steps of an erasure, in order, as the receipt states them. */
export const ERASURE_ACTIONS = [
  'Customer keys destroyed: every sealed copy of the personal data (table, streams, backups, lake) is unreadable',
  'Identity indexes removed: the hashed e-mail, phone, device and member-card lookups no longer lead to the person',
  'Customer record tombstoned: reads answer 410 Gone, and no new event can be linked to it',
  'Earlier export bundles deleted',
  'Timeline, profile, scores, segment memberships, consent records, blocking keys, suggested matches and ingest hand-over copies deleted',
  'CustomerErased published, so every downstream copy is erased too',
] as const;

export const EXPORT_ACTIONS = [
  'Identity links, profile, timeline events, scores and consent records collected and opened',
  'JSON bundle written to the export bucket (kept 7 days)',
] as const;

/** The receipt of a request whose last step has run. */
export const receiptOf = (
  request: SubjectRequest,
  customerIds: readonly string[],
  completedAt: string,
): SubjectRequestReceipt => ({
  requestId: request.requestId,
  kind: request.kind,
  customerId: request.customerId,
  customerIds: [...customerIds],
  filedBy: request.filedBy,
  filedAt: request.filedAt,
  completedAt,
  actions: [...(request.kind === 'erasure' ? ERASURE_ACTIONS : EXPORT_ACTIONS)],
  counts: Object.fromEntries(
    Object.entries(request.counts ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ),
});

/** The customers a request covers: the one it names, followed to its survivor, and all merged into it. */
export type PersonScope = {
  /** The customer the person is now (the end of the merge chain of the id filed). */
  readonly customerId: string;
  /** `customerId` first, then every customer merged into it, directly or through another merge. */
  readonly customerIds: readonly string[];
  readonly status: 'active' | 'erased';
};

/** Everything about a person, opened: what an export bundle holds, section by section. */
export type PersonData = {
  customers: { customerId: string; createdAt: string; status: string; erasedAt?: string }[];
  identityLinks: {
    customerId: string;
    type: string;
    rule: string;
    source: string;
    channel: string;
    eventId: string;
    at: string;
  }[];
  merges: { customerId: string; mergedCustomerId: string; rule: string; at: string }[];
  profiles: unknown[];
  events: { customerId: string; event: unknown }[];
  scores: unknown[];
  consents: unknown[];
};

export const EXPORT_BUNDLE_FORMAT = 'c360.subject-export.v1';

/** The export bundle handed to the person: the request it answers, when, and everything held. */
export const exportBundleOf = (request: SubjectRequest, data: PersonData, generatedAt: string) => ({
  format: EXPORT_BUNDLE_FORMAT,
  requestId: request.requestId,
  customerId: request.customerId,
  generatedAt,
  ...data,
});

/** What an export counted, under the same names as an erasure's counts. */
export const exportCounts = (data: PersonData): Record<string, number> => ({
  identityLinks: data.identityLinks.length,
  profiles: data.profiles.length,
  timelineEvents: data.events.length,
  scores: data.scores.length,
  consentRecords: data.consents.length,
});
