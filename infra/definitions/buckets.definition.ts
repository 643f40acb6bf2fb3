import type { BucketDefinition } from './resource.types.ts';

/** Pseudonymous analytics data (NDJSON/Parquet by date), queried with Athena (DuckDB locally). */
export const lakeBucket = {
  id: 'LakeBucket',
  envVar: 'LAKE_BUCKET_NAME',
  infrequentAccessAfterDays: 90,
  noncurrentExpirationDays: 30,
} as const satisfies BucketDefinition;

/** Rejected input with its reasons. The only place raw PII may rest, so it is short-lived. */
export const quarantineBucket = {
  id: 'QuarantineBucket',
  envVar: 'QUARANTINE_BUCKET_NAME',
  expirationDays: 30,
  noncurrentExpirationDays: 1,
} as const satisfies BucketDefinition;

/**
 * Customer-intelligence models: every trained version with its metrics and feature schema, and the pointer
 * to the one in use. Versioned; a superseded pointer stays restorable for a year.
 */
export const modelBucket = {
  id: 'ModelBucket',
  envVar: 'MODEL_BUCKET_NAME',
  noncurrentExpirationDays: 365,
} as const satisfies BucketDefinition;

/**
 * The audit log: who read or changed personal data, when, why. Objects are never overwritten and, where the
 * stage enables Object Lock, cannot be deleted before the retention ends; nothing expires them.
 */
export const auditBucket = {
  id: 'AuditBucket',
  envVar: 'AUDIT_BUCKET_NAME',
  noncurrentExpirationDays: 30,
  objectLock: true,
} as const satisfies BucketDefinition;

/**
 * Data-subject exports: the JSON bundle of everything about one person, in clear, for the person. Short-lived
 * (the admin hands it over within days); kept no longer than that in any version.
 */
export const exportBucket = {
  id: 'ExportBucket',
  envVar: 'EXPORT_BUCKET_NAME',
  expirationDays: 7,
  noncurrentExpirationDays: 1,
} as const satisfies BucketDefinition;

export const buckets = [
  lakeBucket,
  quarantineBucket,
  modelBucket,
  auditBucket,
  exportBucket,
] as const satisfies readonly BucketDefinition[];
