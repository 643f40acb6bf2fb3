import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { s3Client } from '#shared/adapters/aws/aws-clients.ts';
import { AuditQueryError, s3AuditLogFromEnv } from '#shared/adapters/s3/audit-log.store.ts';
import { auditDraft } from '#shared/runtime/audit-trail.ts';
import { authorize } from '#shared/runtime/caller.ts';
import { jsonResponse, problemResponse } from '#shared/runtime/http-response.ts';

const audit = s3AuditLogFromEnv(s3Client());
const DAY_MS = 86_400_000;
const time = z.iso.datetime({ precision: 3 });
const code = z.string().regex(/^[A-Za-z0-9._:@/-]{1,256}$/);
const query = z.strictObject({
  from: time.optional(),
  to: time.optional(),
  actor: code.optional(),
  customerId: code.optional(),
  action: z
    .string()
    .regex(/^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(2048).optional(),
});

/**
 * `GET /audit?from&to&actor&customerId&action&limit&cursor` (admin): entries oldest first, the last day by
 * default; `next` continues. Reading the log is itself logged (`audit.query`).
 */
export const handler = async (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<APIGatewayProxyResultV2> => {
  const allowed = authorize(event, 'audit:read');
  if (!allowed.ok) return allowed.response;
  const q = query.safeParse(event.queryStringParameters ?? {});
  if (!q.success)
    return problemResponse(
      400,
      'Invalid query',
      q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  const now = new Date().toISOString();
  const to = q.data.to ?? now;
  const from = q.data.from ?? new Date(Date.parse(to) - DAY_MS).toISOString();
  if (from >= to) return problemResponse(400, 'Invalid query', 'from must be before to');
  try {
    const page = await audit.query({
      from,
      to,
      limit: q.data.limit,
      ...(q.data.actor === undefined ? {} : { actor: q.data.actor }),
      ...(q.data.customerId === undefined ? {} : { resourceId: q.data.customerId }),
      ...(q.data.action === undefined ? {} : { action: q.data.action }),
      ...(q.data.cursor === undefined ? {} : { cursor: q.data.cursor }),
    });
    await audit.append([
      auditDraft(event, allowed.caller, 'audit.query', { type: 'audit', id: 'log' }, [], now),
    ]);
    return jsonResponse(200, { from, to, items: page.entries, ...(page.next ? { next: page.next } : {}) });
  } catch (error) {
    if (error instanceof AuditQueryError) return problemResponse(400, 'Invalid query', error.message);
    throw error;
  }
};
