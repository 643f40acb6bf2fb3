import {
  auditBucket,
  exportBucket,
  lakeBucket,
  modelBucket,
  quarantineBucket,
} from './buckets.definition.ts';
import {
  auditQueue,
  batchScoringQueue,
  domainEventsQueue,
  ingestFailuresDlq,
  profileRebuildQueue,
  scoringQueue,
} from './queues.definition.ts';
import type { EventSourceDefinition, FunctionDefinition, TableStreamEventSource } from './resource.types.ts';
import { ingestStream } from './streams.definition.ts';

export const getHealthFunction = {
  id: 'GetHealth',
  entry: 'functions/platform/get-health.api.ts',
  description: 'Liveness and the resources this deployment runs on',
  timeoutSeconds: 5,
  memoryMb: 256,
  bindings: { table: 'read' },
  exposesResourceSummary: true,
} as const satisfies FunctionDefinition;

/** The API's own OpenAPI 3.1 document, generated from the route definitions and the handlers' schemas. */
export const getOpenApiFunction = {
  id: 'GetOpenApi',
  entry: 'functions/platform/get-openapi.api.ts',
  description: 'GET /openapi.json: the OpenAPI 3.1 document of this API',
  timeoutSeconds: 5,
  memoryMb: 256,
  bindings: {},
} as const satisfies FunctionDefinition;

export const archiveDomainEventsFunction = {
  id: 'ArchiveDomainEvents',
  entry: 'functions/analytics/archive-domain-events.handler.ts',
  description: 'Writes domain events from the bus to the analytics lake as date-partitioned NDJSON',
  timeoutSeconds: 30,
  memoryMb: 512,
  bindings: { buckets: { [lakeBucket.id]: 'write' }, queues: { [domainEventsQueue.id]: 'consume' } },
} as const satisfies FunctionDefinition;

/** Segment-compatible tracking API: write-key auth, limits, then onto the ingest stream. */
export const collectSegmentFunction = {
  id: 'CollectSegment',
  entry: 'functions/ingest/collect-segment.api.ts',
  description: 'Segment-compatible collect API (/v1/batch, /v1/track, …) onto the ingest stream',
  timeoutSeconds: 10,
  memoryMb: 512,
  bindings: { table: 'read', streams: { [ingestStream.id]: 'write' } },
} as const satisfies FunctionDefinition;

/** The one cleaning path: validate, standardise, de-duplicate, store or quarantine. */
export const cleanEventsFunction = {
  id: 'CleanEvents',
  entry: 'functions/ingest/clean-events.handler.ts',
  description: 'Validates and standardises channel events; stores cleaned events, quarantines the rest',
  timeoutSeconds: 60,
  memoryMb: 1024,
  bindings: {
    table: 'readWrite',
    streams: { [ingestStream.id]: 'read' },
    buckets: { [quarantineBucket.id]: 'write' },
    blindIndex: true,
  },
} as const satisfies FunctionDefinition;

export const getQualityFunction = {
  id: 'GetQuality',
  entry: 'functions/ingest/get-quality.api.ts',
  description: 'Data-quality report per source: received, accepted, quarantined by reason, duplicates',
  timeoutSeconds: 10,
  memoryMb: 256,
  bindings: { table: 'read' },
} as const satisfies FunctionDefinition;

/** Real-time identity resolution: every cleaned event, on arrival, into the identity graph. */
export const resolveIdentitiesFunction = {
  id: 'ResolveIdentities',
  entry: 'functions/identity/resolve-identities.handler.ts',
  description: 'Each cleaned event on arrival: identity resolution, Profile 360, probabilistic matching',
  timeoutSeconds: 60,
  memoryMb: 1024,
  bindings: { table: 'readWrite', blindIndex: true, piiVault: true },
} as const satisfies FunctionDefinition;

/** The customer read API: a customer with its identity links and lineage; lookup through blind indexes. */
export const readCustomersFunction = {
  id: 'ReadCustomers',
  entry: 'functions/identity/read-customers.api.ts',
  description: 'GET /customers/{id} and lookup by e-mail, phone, device id or member card',
  timeoutSeconds: 10,
  memoryMb: 512,
  bindings: {
    table: 'read',
    blindIndex: true,
    piiVault: true,
    // Every read that shows personal data is accepted onto the audit queue before the data leaves.
    queues: { [auditQueue.id]: 'send' },
  },
} as const satisfies FunctionDefinition;

/** An admin undoes a merge: identifiers back to the restored customer, both kept apart from now on. */
export const unmergeCustomerFunction = {
  id: 'UnmergeCustomer',
  entry: 'functions/identity/unmerge-customer.api.ts',
  description: 'POST /customers/{id}/unmerge: undoes a merge and emits CustomerUnmerged v1',
  timeoutSeconds: 10,
  memoryMb: 512,
  bindings: { table: 'readWrite', queues: { [auditQueue.id]: 'send' } },
} as const satisfies FunctionDefinition;

/** An agent corrects a customer's traits, sales tag them: a manual edit of the Profile 360, audited. */
export const editCustomerFunction = {
  id: 'EditCustomer',
  entry: 'functions/profile/edit-customer.api.ts',
  description: 'PATCH /customers/{id}: manual trait edits and tags; ProfileUpdated v1 through the outbox',
  timeoutSeconds: 10,
  memoryMb: 512,
  // PII traits are sealed under the customer's key; every change is accepted onto the audit queue first.
  bindings: { table: 'readWrite', piiVault: true, queues: { [auditQueue.id]: 'send' } },
} as const satisfies FunctionDefinition;

/** The suggested-match review queue: list pending pairs, approve (merge) or reject (keep apart). */
export const reviewSuggestedMatchesFunction = {
  id: 'ReviewSuggestedMatches',
  entry: 'functions/identity/review-suggested-matches.api.ts',
  description:
    'GET /identity/suggested-matches and POST …/{pair}/decision: approve merges, reject keeps apart',
  timeoutSeconds: 10,
  memoryMb: 512,
  bindings: { table: 'readWrite', piiVault: true, queues: { [auditQueue.id]: 'send' } },
} as const satisfies FunctionDefinition;

/**
 * The audit log's batching writer: entries accepted on the request path (the audit queue) are appended a
 * batch at a time as hash-chained objects; an entry redelivered after its batch landed is not appended twice.
 */
export const appendAuditEntriesFunction = {
  id: 'AppendAuditEntries',
  entry: 'functions/privacy/append-audit-entries.handler.ts',
  description: 'Appends audit entries from the audit queue to the append-only, hash-chained log in S3',
  timeoutSeconds: 30,
  memoryMb: 512,
  bindings: {
    // Where each entry landed (an expiring item per entry), to recognise a redelivered one.
    table: 'readWrite',
    buckets: { [auditBucket.id]: 'readWrite' },
    queues: { [auditQueue.id]: 'consume' },
  },
} as const satisfies FunctionDefinition;

/** Data-subject requests: file an export or an erasure, follow it, read its receipt and the export bundle. */
export const manageSubjectRequestsFunction = {
  id: 'ManageSubjectRequests',
  entry: 'functions/privacy/manage-subject-requests.api.ts',
  description: 'POST /data-subject-requests, GET /data-subject-requests/{id} and its export bundle',
  timeoutSeconds: 10,
  memoryMb: 512,
  bindings: {
    table: 'readWrite',
    buckets: { [exportBucket.id]: 'read' },
    queues: { [auditQueue.id]: 'send' },
  },
} as const satisfies FunctionDefinition;

/** Each task of the data-subject request workflow (see `state-machines.definition.ts`). */
export const runSubjectRequestStepFunction = {
  id: 'RunSubjectRequestStep',
  entry: 'functions/privacy/run-subject-request-step.handler.ts',
  description: 'One step of a data-subject request: plan, destroy keys, purge, export, receipt, failure',
  timeoutSeconds: 300,
  memoryMb: 1024,
  bindings: {
    table: 'readWrite',
    piiVault: true,
    // Writes export bundles; an erasure deletes earlier ones.
    buckets: { [exportBucket.id]: 'readWriteDelete' },
    // The completed request goes onto the audit queue, like every other audit entry.
    queues: { [auditQueue.id]: 'send' },
  },
} as const satisfies FunctionDefinition;

/** After an unmerge: both profiles rebuilt from their events, which move to the customer they belong to. */
export const rebuildProfilesFunction = {
  id: 'RebuildProfiles',
  entry: 'functions/profile/rebuild-profiles.handler.ts',
  description: 'Rebuilds both profiles of an unmerge from their source events (CustomerUnmerged v1)',
  timeoutSeconds: 60,
  memoryMb: 1024,
  bindings: { table: 'readWrite', piiVault: true, queues: { [profileRebuildQueue.id]: 'consume' } },
} as const satisfies FunctionDefinition;

/** The transactional outbox's publisher: domain events from the table to the bus. */
export const publishDomainEventsFunction = {
  id: 'PublishDomainEvents',
  entry: 'functions/platform/publish-domain-events.handler.ts',
  description: 'Publishes outbox items (domain events written with their change) to the event bus',
  timeoutSeconds: 30,
  memoryMb: 256,
  bindings: { table: 'read', bus: 'put' },
} as const satisfies FunctionDefinition;

/** Rescoring on events: a changed profile gets its churn score, tier, segment and lifetime value again. */
export const rescoreCustomersFunction = {
  id: 'RescoreCustomers',
  entry: 'functions/scoring/rescore-customers.handler.ts',
  description: 'Rescores customers whose profile changed (ProfileUpdated); raises ChurnRiskRaised v1',
  timeoutSeconds: 30,
  memoryMb: 1024,
  bindings: {
    table: 'readWrite',
    buckets: { [modelBucket.id]: 'read' },
    queues: { [scoringQueue.id]: 'consume' },
  },
} as const satisfies FunctionDefinition;

/** Batch scoring: one page of one scan segment per message, then the next page's message. */
export const scoreAllCustomersFunction = {
  id: 'ScoreAllCustomers',
  entry: 'functions/scoring/score-all-customers.handler.ts',
  description: 'Scores every customer with the current models, a page at a time (chunked, resumable)',
  timeoutSeconds: 120,
  memoryMb: 1024,
  bindings: {
    table: 'readWrite',
    buckets: { [modelBucket.id]: 'read' },
    queues: { [batchScoringQueue.id]: 'sendAndConsume' },
  },
} as const satisfies FunctionDefinition;

/** The segment catalogue and each segment's members, read from the write-sharded membership index. */
export const readSegmentsFunction = {
  id: 'ReadSegments',
  entry: 'functions/scoring/read-segments.api.ts',
  description: 'GET /segments and GET /segments/{name}/customers (cursor-paginated)',
  timeoutSeconds: 10,
  memoryMb: 512,
  bindings: { table: 'read' },
} as const satisfies FunctionDefinition;

/** The weekly retrain: every customer's history → a new model version in S3, then a batch-scoring run. */
export const trainCustomerModelsFunction = {
  id: 'TrainCustomerModels',
  entry: 'functions/scoring/train-customer-models.handler.ts',
  description: 'Retrains churn, value tiers, segments and lifetime value; publishes the version; scores all',
  timeoutSeconds: 900,
  memoryMb: 3008,
  bindings: {
    table: 'readWrite',
    piiVault: true,
    buckets: { [modelBucket.id]: 'readWrite' },
    queues: { [batchScoringQueue.id]: 'send' },
  },
  // ChurnRiskRaised fires when a score reaches CHURN_THRESHOLD (0–100); money features are read in SCORING_CURRENCY.
  environment: { CHURN_THRESHOLD: '70', SCORING_CURRENCY: 'CNY', SCORING_SCAN_SEGMENTS: '4' },
} as const satisfies FunctionDefinition;

/** The consent ledger: record consents and withdrawals, read what they allow. */
export const manageConsentsFunction = {
  id: 'ManageConsents',
  entry: 'functions/privacy/manage-consents.api.ts',
  description: 'POST/GET /customers/{id}/consents: the consent ledger and the contact decision it gives',
  timeoutSeconds: 10,
  memoryMb: 512,
  bindings: { table: 'readWrite', queues: { [auditQueue.id]: 'send' } },
} as const satisfies FunctionDefinition;

/** The audit log, for admins: who read or changed whose personal data, when and why. */
export const readAuditFunction = {
  id: 'ReadAudit',
  entry: 'functions/privacy/read-audit.api.ts',
  description: 'GET /audit: audit entries by time, actor, customer and action (admin)',
  timeoutSeconds: 15,
  memoryMb: 512,
  // Reads the log; its own `audit.query` entry goes onto the audit queue (only the writer appends to S3).
  bindings: { buckets: { [auditBucket.id]: 'read' }, queues: { [auditQueue.id]: 'send' } },
} as const satisfies FunctionDefinition;

export const functions = [
  getHealthFunction,
  getOpenApiFunction,
  archiveDomainEventsFunction,
  collectSegmentFunction,
  cleanEventsFunction,
  getQualityFunction,
  resolveIdentitiesFunction,
  readCustomersFunction,
  unmergeCustomerFunction,
  editCustomerFunction,
  reviewSuggestedMatchesFunction,
  rebuildProfilesFunction,
  publishDomainEventsFunction,
  rescoreCustomersFunction,
  scoreAllCustomersFunction,
  readSegmentsFunction,
  trainCustomerModelsFunction,
  manageConsentsFunction,
  readAuditFunction,
  appendAuditEntriesFunction,
  manageSubjectRequestsFunction,
  runSubjectRequestStepFunction,
] as const satisfies readonly FunctionDefinition[];

/**
 * A consumer of the table's own stream that only sees new items of one kind (`sk`): the outbox pattern.
 * Every other write to the table is filtered out before the function is invoked.
 */
const newItemsOfKind = (sk: string) =>
  ({
    type: 'table-stream',
    startingPosition: 'TRIM_HORIZON',
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    bisectBatchOnError: true,
    maximumRetryAttempts: 10,
    maximumRecordAgeSeconds: -1,
    parallelizationFactor: 1,
    reportBatchItemFailures: true,
    onFailureQueueId: ingestFailuresDlq.id,
    filters: [{ eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: [sk] } } } }],
  }) as const satisfies TableStreamEventSource;

export const eventSources = [
  { id: 'OutboxToBus', functionId: publishDomainEventsFunction.id, source: newItemsOfKind('OUTBOX') },
  {
    id: 'CleanedEventsToIdentity',
    functionId: resolveIdentitiesFunction.id,
    source: newItemsOfKind('CLEANED'),
  },
  {
    id: 'IngestToCleaning',
    functionId: cleanEventsFunction.id,
    source: {
      type: 'kinesis',
      streamId: ingestStream.id,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 500,
      // No batching window: events reach the profile in about a second; batches still fill under load.
      maxBatchingWindowSeconds: 0,
      // A poison record is isolated by bisection and parked in the DLQ; the rest of its batch goes on.
      bisectBatchOnError: true,
      maximumRetryAttempts: 5,
      maximumRecordAgeSeconds: -1,
      parallelizationFactor: 1,
      reportBatchItemFailures: true,
      onFailureQueueId: ingestFailuresDlq.id,
    },
  },
  {
    id: 'DomainEventsToArchive',
    functionId: archiveDomainEventsFunction.id,
    source: {
      type: 'sqs',
      queueId: domainEventsQueue.id,
      batchSize: 100,
      maxBatchingWindowSeconds: 5,
      reportBatchItemFailures: true,
      maxConcurrency: 2,
    },
  },
  {
    id: 'UnmergesToRebuild',
    functionId: rebuildProfilesFunction.id,
    source: {
      type: 'sqs',
      queueId: profileRebuildQueue.id,
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      reportBatchItemFailures: true,
      maxConcurrency: 2,
    },
  },
  {
    id: 'ProfileUpdatesToRescore',
    functionId: rescoreCustomersFunction.id,
    source: {
      type: 'sqs',
      queueId: scoringQueue.id,
      batchSize: 50,
      maxBatchingWindowSeconds: 1,
      reportBatchItemFailures: true,
      maxConcurrency: 4,
    },
  },
  {
    id: 'AuditEntriesToLog',
    functionId: appendAuditEntriesFunction.id,
    source: {
      type: 'sqs',
      queueId: auditQueue.id,
      // Up to 100 entries an object; a short window, so an entry is in the log about a second after the read.
      batchSize: 100,
      maxBatchingWindowSeconds: 1,
      reportBatchItemFailures: true,
      maxConcurrency: 2,
    },
  },
  {
    id: 'BatchScoringPages',
    functionId: scoreAllCustomersFunction.id,
    source: {
      type: 'sqs',
      queueId: batchScoringQueue.id,
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      reportBatchItemFailures: true,
      maxConcurrency: 4,
    },
  },
] as const satisfies readonly EventSourceDefinition[];
