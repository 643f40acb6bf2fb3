import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { s3Client, sqsClient } from '#shared/adapters/aws/aws-clients.ts';
import { AuditQueryError, s3AuditLogFromEnv } from '#shared/adapters/s3/audit-log.store.ts';
import { sqsAuditQueueFromEnv } from '#shared/adapters/sqs/audit-queue.sender.ts';
import { auditQuery } from '#shared/api/privacy.schemas.ts';
import { recordAudit } from '#shared/runtime/audit-trail.ts';
import { authorize } from '#shared/runtime/caller.ts';
import { queryParams } from '#shared/runtime/http-request.ts';
import { jsonResponse, problemResponse } from '#shared/runtime/http-response.ts';

// Reads the chained S3 log; its own `audit.query` entry goes, like every other, onto the audit queue.
const log = s3AuditLogFromEnv(s3Client());
const audit = sqsAuditQueueFromEnv(sqsClient());
const DAY_MS = 86_400_000;

/**
 * `GET /audit?from&to&actor&customerId&action&limit&cursor` (admin): entries oldest first, the last day by
 * default; `next` continues. Reading the log is itself logged (`audit.query`).
 */
export const handler = async (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<APIGatewayProxyResultV2> => {
  const allowed = authorize(event, 'audit:read');
  if (!allowed.ok) return allowed.response;
  const q = queryParams(event, auditQuery);
  if (!q.ok) return q.response;
  const now = new Date().toISOString();
  const to = q.value.to ?? now;
  const from = q.value.from ?? new Date(Date.parse(to) - DAY_MS).toISOString();
  // The log checks the window itself (from before to): an AuditQueryError below.
  try {
    const page = await log.query({
      from,
      to,
      limit: q.value.limit,
      ...(q.value.actor === undefined ? {} : { actor: q.value.actor }),
      ...(q.value.customerId === undefined ? {} : { resourceId: q.value.customerId }),
      ...(q.value.action === undefined ? {} : { action: q.value.action }),
      ...(q.value.cursor === undefined ? {} : { cursor: q.value.cursor }),
    });
    await recordAudit(audit, event, allowed.caller, 'audit.query', { type: 'audit', id: 'log' }, []);
    return jsonResponse(200, { from, to, items: page.entries, ...(page.next ? { next: page.next } : {}) });
  } catch (error) {
    if (error instanceof AuditQueryError)
      return problemResponse(400, 'Invalid query', error.message, {
        errors: [
          { pointer: error.message === 'bad cursor' ? '/query/cursor' : '/query', detail: error.message },
        ],
      });
    throw error;
  }
};
