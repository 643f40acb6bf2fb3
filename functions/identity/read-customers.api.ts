import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { documentClient, s3Client } from '#shared/adapters/aws/aws-clients.ts';
import { blindIndex } from '#shared/adapters/crypto/blind-index.adapter.ts';
import { dynamoCustomerReader } from '#shared/adapters/dynamodb/identity-graph.repository.ts';
import { dynamoProfilesFromEnv } from '#shared/adapters/dynamodb/profile.repository.ts';
import { dynamoScores } from '#shared/adapters/dynamodb/score.repository.ts';
import { s3AuditLogFromEnv } from '#shared/adapters/s3/audit-log.store.ts';
import { recordAudit } from '#shared/runtime/audit-trail.ts';
import { authorize } from '#shared/runtime/caller.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { jsonResponse, problemResponse } from '#shared/runtime/http-response.ts';
import {
  type CustomerView,
  findCustomerByIdentifier,
  LOOKUP_TYPES,
  personalFieldsShown,
  readCustomer,
} from '#shared/use-cases/identity/read-customer.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1) });
const db = documentClient();
const reader = dynamoCustomerReader(db, env.CUSTOMER_TABLE_NAME);
const profiles = dynamoProfilesFromEnv(db, env.CUSTOMER_TABLE_NAME);
const scores = dynamoScores(db, env.CUSTOMER_TABLE_NAME);
// One log per container, so its hash chain continues across invocations.
const audit = s3AuditLogFromEnv(s3Client());
const lookup = z
  .object(Object.fromEntries(LOOKUP_TYPES.map((t) => [t, z.string().min(1).max(320).optional()])))
  .refine(
    (q) => Object.values(q).filter(Boolean).length === 1,
    'give exactly one of email, phone, deviceId, memberCard',
  );

/** `GET /customers/{id}` and `GET /customers?email=…|phone=…|deviceId=…|memberCard=…`. */
export const handler = async (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<APIGatewayProxyResultV2> => {
  const ports = {
    ...reader,
    blindIndex: await blindIndex(),
    profile: profiles.load,
    scores: scores.readScores,
  };
  const allowed = authorize(event, 'customers:read');
  if (!allowed.ok) return allowed.response;
  const scope = { roles: allowed.caller.groups };
  // Every read that shows personal data is on the record before the data leaves.
  const audited = async (customer: CustomerView) => {
    const fields = personalFieldsShown(customer);
    if (fields.length > 0)
      await recordAudit(
        audit,
        event,
        allowed.caller,
        'customer.read-pii',
        { type: 'customer', id: customer.customerId },
        fields,
      );
    return customer;
  };
  const id = event.pathParameters?.id;
  if (id) {
    const customer = await readCustomer(id, ports, scope);
    return customer ? jsonResponse(200, await audited(customer)) : problemResponse(404, 'Customer not found');
  }
  const q = lookup.safeParse(event.queryStringParameters ?? {});
  if (!q.success)
    return problemResponse(400, 'Invalid lookup', q.error.issues.map((i) => i.message).join('; '));
  const [type, value] = Object.entries(q.data).find(([, v]) => v) as [(typeof LOOKUP_TYPES)[number], string];
  const found = await findCustomerByIdentifier(type, value, ports, scope);
  if (!found.ok) return problemResponse(400, 'Invalid lookup', `${type}: ${found.reason}`);
  return jsonResponse(200, { items: found.customer ? [await audited(found.customer)] : [] });
};
