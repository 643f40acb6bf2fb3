import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { documentClient } from '#shared/adapters/aws/aws-clients.ts';
import { dynamoUnmerge } from '#shared/adapters/dynamodb/unmerge.repository.ts';
import { callerIsIn, callerOf } from '#shared/runtime/caller.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { jsonResponse, problemResponse } from '#shared/runtime/http-response.ts';
import { unmergeCustomer } from '#shared/use-cases/identity/unmerge-customer.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1) });
const ports = dynamoUnmerge(documentClient(), env.CUSTOMER_TABLE_NAME, () => new Date().toISOString());
const body = z.strictObject({
  mergedCustomerId: z.string().min(1).max(128),
  reason: z.string().trim().min(1).max(1024),
});

/** `POST /customers/{id}/unmerge` `{ mergedCustomerId, reason }`: an admin undoes a merge into customer `id`. */
export const handler = async (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<APIGatewayProxyResultV2> => {
  const caller = callerOf(event);
  if (!callerIsIn(caller, ['admin']))
    return problemResponse(403, 'Forbidden', 'unmerge needs the admin role');
  let json: unknown;
  try {
    json = JSON.parse(
      event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? ''),
    );
  } catch {
    return problemResponse(400, 'Invalid body', 'expected JSON: { mergedCustomerId, reason }');
  }
  const parsed = body.safeParse(json);
  if (!parsed.success)
    return problemResponse(
      400,
      'Invalid body',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  const outcome = await unmergeCustomer(
    {
      survivorCustomerId: event.pathParameters?.id ?? '',
      restoredCustomerId: parsed.data.mergedCustomerId,
      actor: caller.subject,
      reason: parsed.data.reason,
    },
    ports,
  );
  switch (outcome.kind) {
    case 'unmerged':
      return jsonResponse(200, outcome);
    case 'not-found':
      return problemResponse(404, 'Customer not found');
    case 'not-merged-into':
      return problemResponse(
        409,
        'Not merged into this customer',
        outcome.mergedInto
          ? `${parsed.data.mergedCustomerId} was merged into ${outcome.mergedInto}`
          : `${parsed.data.mergedCustomerId} is not merged`,
      );
  }
};
