import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { documentClient, dynamoDbClient, sqsClient } from '#shared/adapters/aws/aws-clients.ts';
import { SingleTableIdempotencyStore } from '#shared/adapters/dynamodb/idempotency.store.ts';
import { dynamoUnmerge } from '#shared/adapters/dynamodb/unmerge.repository.ts';
import { sqsAuditQueueFromEnv } from '#shared/adapters/sqs/audit-queue.sender.ts';
import { unmergeBody } from '#shared/api/identity.schemas.ts';
import { recordAudit } from '#shared/runtime/audit-trail.ts';
import { authorize } from '#shared/runtime/caller.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { jsonBody } from '#shared/runtime/http-request.ts';
import { jsonResponse, problemResponse } from '#shared/runtime/http-response.ts';
import { idempotentPost } from '#shared/runtime/idempotent-post.ts';
import { unmergeCustomer } from '#shared/use-cases/identity/unmerge-customer.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1) });
const ports = dynamoUnmerge(documentClient(), env.CUSTOMER_TABLE_NAME, () => new Date().toISOString());
const audit = sqsAuditQueueFromEnv(sqsClient());
const idempotency = new SingleTableIdempotencyStore(dynamoDbClient(), env.CUSTOMER_TABLE_NAME);

/** `POST /customers/{id}/unmerge` `{ mergedCustomerId, reason }`: an admin undoes a merge into customer `id`. */
const handle = async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyResultV2> => {
  const allowed = authorize(event, 'customers:unmerge');
  if (!allowed.ok) return allowed.response;
  const { caller } = allowed;
  const parsed = jsonBody(event, unmergeBody, '{ mergedCustomerId, reason }');
  if (!parsed.ok) return parsed.response;
  const outcome = await unmergeCustomer(
    {
      survivorCustomerId: event.pathParameters?.id ?? '',
      restoredCustomerId: parsed.value.mergedCustomerId,
      actor: caller.subject,
      reason: parsed.value.reason,
    },
    ports,
  );
  switch (outcome.kind) {
    case 'unmerged':
      await recordAudit(
        audit,
        event,
        caller,
        'customer.unmerge',
        { type: 'customer', id: parsed.value.mergedCustomerId },
        ['identities', 'profile'],
      );
      return jsonResponse(200, outcome);
    case 'not-found':
      return problemResponse(404, 'Customer not found');
    case 'not-merged-into':
      return problemResponse(
        409,
        'Not merged into this customer',
        outcome.mergedInto
          ? `${parsed.value.mergedCustomerId} was merged into ${outcome.mergedInto}`
          : `${parsed.value.mergedCustomerId} is not merged`,
      );
  }
};

/** POSTs under an `Idempotency-Key` replay their first response (see `idempotentPost`). */
export const handler = idempotentPost(handle, { store: idempotency });
