import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { parseContract } from '../../../events/zod-issue.formatter.ts';
import { type AuditEntryDraft, auditEntryDraft } from '../../domain/privacy/audit-entry.ts';
import type { AuditSink } from '../../domain/privacy/audit-log.port.ts';
import { readEnv } from '../../runtime/env.ts';
import { AuditEntryError } from '../s3/audit-log.store.ts';

/** The audit queue's URL; the name `auditQueue` in `infra/definitions/queues.definition.ts` gives it. */
export const AUDIT_QUEUE_ENV = 'AUDIT_QUEUE_URL' as const;

export class AuditQueueError extends Error {
  override readonly name = 'AuditQueueError';
}

/**
 * The audit log's front door on the request path: each entry, validated, as one message on the audit queue.
 * Resolves once SQS has stored every message (durably, before the data the entry is about leaves); the
 * batching writer (`append-audit-entries.handler.ts`) appends them to the log. Nothing is appended here.
 */
export const sqsAuditQueue = (sqs: SQSClient, queueUrl: string): AuditSink => ({
  append: async (drafts: readonly AuditEntryDraft[]) => {
    const valid = drafts.map((draft, i) => {
      const parsed = parseContract(auditEntryDraft, draft);
      if (!parsed.ok) throw new AuditEntryError(`entry ${i}: ${parsed.reasons.join('; ')}`);
      return parsed.value;
    });
    for (let i = 0; i < valid.length; i += 10) {
      const sent = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: valid
            .slice(i, i + 10)
            .map((entry, j) => ({ Id: String(j), MessageBody: JSON.stringify(entry) })),
        }),
      );
      // Never acknowledged means not on the record: the request fails rather than the data leaving.
      if (sent.Failed?.length)
        throw new AuditQueueError(
          `${sent.Failed.length} audit entries refused: ${sent.Failed.map((f) => f.Code).join(', ')}`,
        );
    }
  },
});

/** The audit queue of a function bound to it (`AUDIT_QUEUE_URL`). */
export const sqsAuditQueueFromEnv = (sqs: SQSClient, source: NodeJS.ProcessEnv = process.env): AuditSink => {
  const env = readEnv({ [AUDIT_QUEUE_ENV]: z.string().min(1) }, source);
  return sqsAuditQueue(sqs, env[AUDIT_QUEUE_ENV]);
};
