import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { documentClient, sqsClient } from '#shared/adapters/aws/aws-clients.ts';
import { blindIndex } from '#shared/adapters/crypto/blind-index.adapter.ts';
import { dynamoCustomerSnapshots } from '#shared/adapters/dynamodb/customer-snapshot.repository.ts';
import { dynamoCustomerReader } from '#shared/adapters/dynamodb/identity-graph.repository.ts';
import { dynamoProfilesFromEnv } from '#shared/adapters/dynamodb/profile.repository.ts';
import { sqsAuditQueueFromEnv } from '#shared/adapters/sqs/audit-queue.sender.ts';
import { customerLookupQuery } from '#shared/api/identity.schemas.ts';
import { fieldErrors } from '#shared/api/problem.schema.ts';
import { fieldVisibility } from '#shared/domain/access/access-policy.ts';
import { PII_TRAITS } from '#shared/domain/profile/profile-privacy.ts';
import { recordAudit } from '#shared/runtime/audit-trail.ts';
import { authorize } from '#shared/runtime/caller.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { jsonResponse, problemResponse } from '#shared/runtime/http-response.ts';
import {
  CustomerErasedError,
  type CustomerView,
  findCustomerByIdentifier,
  type LookupType,
  personalFieldsShown,
  readCustomer,
} from '#shared/use-cases/identity/read-customer.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1) });
const db = documentClient();
const reader = dynamoCustomerReader(db, env.CUSTOMER_TABLE_NAME);
const profiles = dynamoProfilesFromEnv(db, env.CUSTOMER_TABLE_NAME);
// Entries are durably queued on the request path; a batching writer appends them to the chained S3 log.
const audit = sqsAuditQueueFromEnv(sqsClient());

/** `GET /customers/{id}` and `GET /customers?email=…|phone=…|deviceId=…|memberCard=…`. */
export const handler = async (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<APIGatewayProxyResultV2> => {
  const allowed = authorize(event, 'customers:read');
  if (!allowed.ok) return allowed.response;
  const scope = { roles: allowed.caller.groups };
  // A caller who may see no personal field (an analyst) never has the customer's key unwrapped.
  const pii = [...PII_TRAITS].some((f) => fieldVisibility(scope.roles, f) !== 'hidden');
  const ports = {
    ownerOf: reader.ownerOf,
    blindIndex: await blindIndex(),
    snapshot: dynamoCustomerSnapshots(db, env.CUSTOMER_TABLE_NAME, (customerId, item) =>
      profiles.fromItem(customerId, item, { pii }),
    ),
  };
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
    try {
      const customer = await readCustomer(id, ports, scope);
      return customer
        ? jsonResponse(200, await audited(customer))
        : problemResponse(404, 'Customer not found');
    } catch (error) {
      if (error instanceof CustomerErasedError)
        return problemResponse(410, 'Customer erased', 'Erased on a data-subject request; nothing is kept', {
          erasedAt: error.erasedAt,
        });
      throw error;
    }
  }
  const q = customerLookupQuery.safeParse(event.queryStringParameters ?? {});
  if (!q.success)
    return problemResponse(400, 'Invalid lookup', q.error.issues.map((i) => i.message).join('; '), {
      errors: fieldErrors('query', q.error.issues),
    });
  const [type, value] = Object.entries(q.data).find(([, v]) => v) as [LookupType, string];
  const found = await findCustomerByIdentifier(type, value, ports, scope);
  if (!found.ok)
    return problemResponse(400, 'Invalid lookup', `${type}: ${found.reason}`, {
      errors: [{ pointer: `/query/${type}`, detail: found.reason }],
    });
  return jsonResponse(200, { items: found.customer ? [await audited(found.customer)] : [] });
};
