import type { QueueDefinition } from './resource.types.ts';

const DLQ_RETENTION_DAYS = 14;

/**
 * Stream consumers' on-failure destination (ingest stream and table stream): batches that exhausted their
 * retries, described by shard and sequence range.
 */
export const ingestFailuresDlq = {
  id: 'IngestFailuresDlq',
  envVar: 'INGEST_FAILURES_DLQ_URL',
  visibilityTimeoutSeconds: 30,
  retentionDays: DLQ_RETENTION_DAYS,
} as const satisfies QueueDefinition;

/** Events the bus could not deliver to a target after its retry policy. */
export const busDeliveryDlq = {
  id: 'BusDeliveryDlq',
  envVar: 'BUS_DELIVERY_DLQ_URL',
  visibilityTimeoutSeconds: 30,
  retentionDays: DLQ_RETENTION_DAYS,
} as const satisfies QueueDefinition;

export const domainEventsDlq = {
  id: 'DomainEventsDlq',
  envVar: 'DOMAIN_EVENTS_DLQ_URL',
  visibilityTimeoutSeconds: 30,
  retentionDays: DLQ_RETENTION_DAYS,
} as const satisfies QueueDefinition;

/** Every c360 domain event, buffered for the analytics lake writer. */
export const domainEventsQueue = {
  id: 'DomainEventsQueue',
  envVar: 'DOMAIN_EVENTS_QUEUE_URL',
  // Six times the consumer's timeout, as AWS recommends for SQS event sources.
  visibilityTimeoutSeconds: 180,
  retentionDays: 4,
  deadLetter: { queueId: domainEventsDlq.id, maxReceiveCount: 5 },
} as const satisfies QueueDefinition;

export const profileRebuildDlq = {
  id: 'ProfileRebuildDlq',
  envVar: 'PROFILE_REBUILD_DLQ_URL',
  visibilityTimeoutSeconds: 30,
  retentionDays: DLQ_RETENTION_DAYS,
} as const satisfies QueueDefinition;

/** Unmerges waiting for both customers' profiles to be rebuilt from their events. */
export const profileRebuildQueue = {
  id: 'ProfileRebuildQueue',
  envVar: 'PROFILE_REBUILD_QUEUE_URL',
  visibilityTimeoutSeconds: 360,
  retentionDays: 4,
  deadLetter: { queueId: profileRebuildDlq.id, maxReceiveCount: 5 },
} as const satisfies QueueDefinition;

export const scoringDlq = {
  id: 'ScoringDlq',
  envVar: 'SCORING_DLQ_URL',
  visibilityTimeoutSeconds: 30,
  retentionDays: DLQ_RETENTION_DAYS,
} as const satisfies QueueDefinition;

/** Profiles that changed, waiting to be rescored (ProfileUpdated from the bus). */
export const scoringQueue = {
  id: 'ScoringQueue',
  envVar: 'SCORING_QUEUE_URL',
  visibilityTimeoutSeconds: 180,
  retentionDays: 4,
  deadLetter: { queueId: scoringDlq.id, maxReceiveCount: 5 },
} as const satisfies QueueDefinition;

/**
 * Batch scoring over every customer: one message per page of one scan segment, each carrying the cursor of
 * the next, so a run is chunked and resumes where it stopped.
 */
export const batchScoringQueue = {
  id: 'BatchScoringQueue',
  envVar: 'BATCH_SCORING_QUEUE_URL',
  visibilityTimeoutSeconds: 900,
  retentionDays: 4,
  deadLetter: { queueId: scoringDlq.id, maxReceiveCount: 5 },
} as const satisfies QueueDefinition;

export const auditDlq = {
  id: 'AuditDlq',
  envVar: 'AUDIT_DLQ_URL',
  visibilityTimeoutSeconds: 30,
  retentionDays: DLQ_RETENTION_DAYS,
} as const satisfies QueueDefinition;

/**
 * Audit entries accepted on the request path (who read or changed whose personal data), waiting to be
 * appended to the hash-chained audit log in S3 by one batching writer instead of one put per request.
 */
export const auditQueue = {
  id: 'AuditQueue',
  envVar: 'AUDIT_QUEUE_URL',
  visibilityTimeoutSeconds: 180,
  // An entry waits out a long outage of the log; less than its DLQ's, which counts from the first enqueue.
  retentionDays: 7,
  deadLetter: { queueId: auditDlq.id, maxReceiveCount: 10 },
} as const satisfies QueueDefinition;

export const queues = [
  ingestFailuresDlq,
  busDeliveryDlq,
  domainEventsDlq,
  domainEventsQueue,
  profileRebuildDlq,
  profileRebuildQueue,
  scoringDlq,
  scoringQueue,
  batchScoringQueue,
  auditDlq,
  auditQueue,
] as const satisfies readonly QueueDefinition[];
