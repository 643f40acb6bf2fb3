import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { documentClient, s3Client } from '#shared/adapters/aws/aws-clients.ts';
import { dynamoAuditPlacements } from '#shared/adapters/dynamodb/audit-placement.store.ts';
import {
  AUDIT_BUCKET_ENV,
  auditEntryIdsIn,
  s3AuditLogFromEnv,
  s3AuditObjects,
} from '#shared/adapters/s3/audit-log.store.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { appendAuditEntries } from '#shared/use-cases/privacy/append-audit-entries.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1), [AUDIT_BUCKET_ENV]: z.string().min(1) });
const placements = dynamoAuditPlacements(documentClient(), env.CUSTOMER_TABLE_NAME);
const objects = s3AuditObjects(s3Client(), env[AUDIT_BUCKET_ENV]);
// One log per container: its chain segment continues across invocations; appends are serialised.
const log = s3AuditLogFromEnv(s3Client(), process.env, {
  beforeWrite: (key, entries) =>
    placements.place(
      key,
      entries.map((e) => e.entryId),
    ),
});

/** The audit queue's consumer: appends each batch of accepted entries to the log, each entry once. */
export const handler = middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failed = await appendAuditEntries(
    event.Records.map((r) => ({ messageId: r.messageId, body: r.body })),
    { append: log.append, placed: placements.placed, entryIdsIn: (key) => auditEntryIdsIn(objects, key) },
  );
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
});
