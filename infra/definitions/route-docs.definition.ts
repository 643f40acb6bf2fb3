import {
  customerLookupQuery,
  customerLookupResult,
  customerView,
  matchDecisionBody,
  matchDecisionResult,
  suggestedMatchesQuery,
  suggestedMatchPage,
  unmergeBody,
  unmergeResult,
} from '../../shared/api/identity.schemas.ts';
import {
  collectBody,
  collectPath,
  collectResult,
  qualityQuery,
  qualityReportResult,
} from '../../shared/api/ingest.schemas.ts';
import { type OpenApiDocument, openApiDocument, type RouteDoc } from '../../shared/api/openapi.document.ts';
import { healthResult, openApiResult } from '../../shared/api/platform.schemas.ts';
import {
  auditPage,
  auditQuery,
  consentCustomerPath,
  consentRecordBody,
  consentRecordResult,
  consentStateQuery,
  consentStateResult,
} from '../../shared/api/privacy.schemas.ts';
import { customerEditBody, customerEditResult } from '../../shared/api/profile.schemas.ts';
import {
  segmentList,
  segmentMembersPage,
  segmentMembersQuery,
  segmentPath,
} from '../../shared/api/scoring.schemas.ts';
import {
  exportBundle,
  subjectRequestBody,
  subjectRequestPath,
  subjectRequestView,
} from '../../shared/api/subject-request.schemas.ts';
import { routes } from './routes.definition.ts';

/*
 * The documentation of every route in `routes.definition.ts`, keyed by route id: the zod schemas its handler
 * parses (import them from `shared/api/*.schemas.ts`, where the handler imports them too) and what it
 * answers. Method, path and security come from the route itself. A route missing here fails
 * test/unit/api/openapi.document.test.ts; a key that is no route id fails the type check.
 */

export type RouteId = (typeof routes)[number]['id'];

export const routeDocs: Readonly<Partial<Record<RouteId, RouteDoc>>> = {
  GetHealth: {
    summary: 'Liveness and the resources of this deployment',
    tag: 'platform',
    responses: {
      200: { description: 'Every dependency answered', schema: healthResult },
      503: { description: 'A dependency failed (`status: degraded`)', schema: healthResult },
    },
  },
  GetOpenApi: {
    summary: 'This document',
    tag: 'platform',
    responses: { 200: { description: 'The OpenAPI 3.1 description of the API', schema: openApiResult } },
  },
  CollectSegment: {
    summary: 'Segment-compatible tracking API (/v1/track, /v1/identify, /v1/batch, …)',
    description:
      'Messages go onto the ingest stream; invalid ones are quarantined by the cleaning stage and listed in `invalid`. Error problems carry Segment’s `success: false` and `error` members.',
    tag: 'ingest',
    writeKey: true,
    path: collectPath,
    body: collectBody,
    responses: { 200: { description: 'Accepted onto the ingest stream', schema: collectResult } },
    problems: { 503: 'The ingest stream is unavailable: retry later' },
  },
  GetQuality: {
    summary: 'Data quality per source: received, accepted, quarantined by reason, duplicates',
    tag: 'ingest',
    query: qualityQuery,
    responses: { 200: { description: 'One report per source over the days', schema: qualityReportResult } },
    unpaginated: 'one entry per configured source',
  },
  GetCustomer: {
    summary: 'A customer with identity links, lineage, Profile 360 and scores',
    description:
      'Personal fields are shown clear, partly or not at all by the caller’s roles; every read that shows one is audited.',
    tag: 'customers',
    responses: {
      200: { description: 'The customer (the survivor, if `id` was merged)', schema: customerView },
    },
    problems: { 404: 'No such customer', 410: 'Erased on a data-subject request' },
  },
  FindCustomers: {
    summary: 'Look a customer up by exactly one of email, phone, deviceId, memberCard',
    tag: 'customers',
    query: customerLookupQuery,
    responses: { 200: { description: 'The owner of the identifier, if any', schema: customerLookupResult } },
    unpaginated: 'an identifier belongs to at most one customer',
  },
  EditCustomer: {
    summary: 'Change a customer’s traits and manual tags (an agent’s correction, a tag from sales)',
    description:
      'All or nothing. Values are standardised as channel data is and stored as the `manual` source, which outranks every channel by default: a later channel event does not overwrite the correction. A caller may change only the personal fields they see in clear. Send `If-Match` with the profile version as an entity tag (`"12"`, the `ETag` of the answer, `profile.version` of GET) to refuse a change to a profile that moved (412). A merged id edits its survivor. Every change is audited.',
    tag: 'customers',
    body: customerEditBody,
    responses: {
      200: {
        description: 'Changed, or nothing to change; `ETag` is the new version',
        schema: customerEditResult,
      },
    },
    problems: {
      404: 'No such customer, or erased',
      409: 'A trait is held by a source ranked above manual edits, a tag is computed, or too many manual tags',
      412: '`If-Match` names another version: read the customer again',
    },
  },
  UnmergeCustomer: {
    summary: 'Undo a merge into customer `id`',
    tag: 'customers',
    body: unmergeBody,
    responses: { 200: { description: 'Unmerged; both profiles are rebuilt', schema: unmergeResult } },
    problems: { 404: 'No such customer', 409: '`mergedCustomerId` was not merged into this customer' },
  },
  ListSuggestedMatches: {
    summary: 'Pending suggested matches, newest first',
    tag: 'identity',
    query: suggestedMatchesQuery,
    responses: { 200: { description: 'A page of pending pairs', schema: suggestedMatchPage } },
  },
  DecideSuggestedMatch: {
    summary: 'Approve (merge) or reject (keep apart) a suggested match',
    tag: 'identity',
    body: matchDecisionBody,
    responses: {
      200: { description: 'Decided (deciding the same way again is a no-op)', schema: matchDecisionResult },
    },
    problems: { 404: 'No such suggested match', 409: 'Already decided the other way' },
  },
  ListSegments: {
    summary: 'Every segment with its description and member count',
    tag: 'segments',
    responses: { 200: { description: 'The segments of the current models', schema: segmentList } },
    unpaginated: 'the segments of the current models: value tiers, a few clusters, churn risk',
  },
  ListSegmentCustomers: {
    summary: 'The members of a segment, a page at a time',
    tag: 'segments',
    path: segmentPath,
    query: segmentMembersQuery,
    responses: { 200: { description: 'A page of members', schema: segmentMembersPage } },
    problems: { 404: 'No such segment' },
  },
  RecordConsent: {
    summary: 'Append a consent record to the customer’s ledger',
    description:
      'Idempotent by `recordId`: the same record again answers 200 `duplicate`; other content under the same `recordId` is a 409.',
    tag: 'privacy',
    path: consentCustomerPath,
    body: consentRecordBody,
    responses: {
      201: { description: 'Recorded', schema: consentRecordResult },
      200: { description: 'The same record was already recorded', schema: consentRecordResult },
    },
    problems: {
      409: 'Other content under the same recordId',
      410: 'Erased on a data-subject request',
      422: 'occurredAt is in the future',
    },
  },
  ReadConsents: {
    summary: 'The consent in effect per purpose × channel, and whether each contact is allowed',
    description:
      'Folded over every customer id of the person: an id merged into another answers for the survivor, with `mergedFrom`.',
    tag: 'privacy',
    path: consentCustomerPath,
    query: consentStateQuery,
    responses: { 200: { description: 'The state at `at`', schema: consentStateResult } },
    problems: { 410: 'Erased on a data-subject request' },
    unpaginated: 'one entry per purpose × channel',
  },
  ReadAudit: {
    summary: 'Audit-log entries, oldest first (the query itself is audited)',
    tag: 'privacy',
    query: auditQuery,
    responses: { 200: { description: 'A page of entries', schema: auditPage } },
  },
  FileSubjectRequest: {
    summary: 'File a data-subject request: an export of everything about a person, or its erasure',
    description:
      'Answers 202 with `Location`; the DataSubjectRequest workflow carries it out and ends it with a receipt. Erasure is crypto-shredding: the customer keys are destroyed, identity indexes removed, the record tombstoned (reads answer 410) and the timeline, profile, scores, consents and earlier export bundles deleted.',
    tag: 'privacy',
    body: subjectRequestBody,
    responses: { 202: { description: 'Filed', schema: subjectRequestView } },
    problems: { 404: 'No such customer', 409: 'The customer is already erased' },
  },
  ReadSubjectRequest: {
    summary: 'A data-subject request: status, counts, and its receipt once completed',
    tag: 'privacy',
    path: subjectRequestPath,
    responses: { 200: { description: 'The request', schema: subjectRequestView } },
    problems: { 404: 'No such request' },
  },
  ReadSubjectRequestBundle: {
    summary: 'The JSON bundle of a completed export (personal data in clear; the read is audited)',
    tag: 'privacy',
    path: subjectRequestPath,
    responses: { 200: { description: 'The bundle', schema: exportBundle } },
    problems: {
      404: 'No such request, or it is not an export',
      409: 'The export is not completed yet',
      410: 'The bundle expired (kept 7 days) or was deleted by an erasure',
    },
  },
};

/** The API's OpenAPI 3.1 document. */
export const c360OpenApiDocument = (): OpenApiDocument =>
  openApiDocument(routes, routeDocs, {
    title: 'c360 API',
    version: '1',
    description:
      'Customer-data platform API. Errors are RFC 9457 problems (application/problem+json); lists are paginated with `limit` and `cursor`, `next` continuing.',
  });
