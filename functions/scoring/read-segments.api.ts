import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { documentClient } from '#shared/adapters/aws/aws-clients.ts';
import { dynamoScores, SegmentCursorError } from '#shared/adapters/dynamodb/score.repository.ts';
import { segmentMembersQuery, segmentPath } from '#shared/api/scoring.schemas.ts';
import { authorize } from '#shared/runtime/caller.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { pathParams, queryParams } from '#shared/runtime/http-request.ts';
import { jsonResponse, problemResponse } from '#shared/runtime/http-response.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1) });
const segments = dynamoScores(documentClient(), env.CUSTOMER_TABLE_NAME).segments;

/**
 * `GET /segments`: every segment (value tiers, k-means clusters, churn risk) with its description and
 * member count. `GET /segments/{name}/customers?limit&cursor`: its members (customer id, since, churn
 * score, tier), a page at a time; `next` is the cursor of the following page, absent on the last.
 */
export const handler = async (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<APIGatewayProxyResultV2> => {
  const name = event.pathParameters?.name;
  if (name === undefined) {
    const allowed = authorize(event, 'segments:read');
    if (!allowed.ok) return allowed.response;
    return jsonResponse(200, { items: await segments.list() });
  }
  const allowed = authorize(event, 'segments:members');
  if (!allowed.ok) return allowed.response;
  const path = pathParams(event, segmentPath);
  if (!path.ok) return path.response;
  const segment = path.value.name;
  const query = queryParams(event, segmentMembersQuery);
  if (!query.ok) return query.response;
  if (!(await segments.exists(segment))) return problemResponse(404, 'Not found', `no segment '${segment}'`);
  try {
    const result = await segments.members(segment, query.value.limit, query.value.cursor);
    return jsonResponse(200, {
      segment,
      items: result.members,
      ...(result.next ? { next: result.next } : {}),
    });
  } catch (error) {
    if (error instanceof SegmentCursorError)
      return problemResponse(400, 'Invalid cursor', error.message, {
        errors: [{ pointer: '/query/cursor', detail: error.message }],
      });
    throw error;
  }
};
