import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { documentClient, dynamoDbClient, sqsClient } from '#shared/adapters/aws/aws-clients.ts';
import { SingleTableIdempotencyStore } from '#shared/adapters/dynamodb/idempotency.store.ts';
import { dynamoIdentityGraph } from '#shared/adapters/dynamodb/identity-graph.repository.ts';
import { dynamoReviewPorts, SuggestedMatchCursorError } from '#shared/adapters/dynamodb/match.repository.ts';
import { dynamoProfilesFromEnv } from '#shared/adapters/dynamodb/profile.repository.ts';
import { sqsAuditQueueFromEnv } from '#shared/adapters/sqs/audit-queue.sender.ts';
import { matchDecisionBody, suggestedMatchesQuery } from '#shared/api/identity.schemas.ts';
import { recordAudit } from '#shared/runtime/audit-trail.ts';
import { authorize } from '#shared/runtime/caller.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { jsonBody, queryParams } from '#shared/runtime/http-request.ts';
import { jsonResponse, problemResponse } from '#shared/runtime/http-response.ts';
import { idempotentPost } from '#shared/runtime/idempotent-post.ts';
import { reviewSuggestedMatch } from '#shared/use-cases/identity/review-suggested-match.use-case.ts';
import {
  DEFAULT_PROFILE_SETTINGS,
  mergeCustomerProfiles,
} from '#shared/use-cases/profile/update-profile.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1) });
const now = () => new Date().toISOString();
const db = documentClient();
const profiles = dynamoProfilesFromEnv(db, env.CUSTOMER_TABLE_NAME);
const review = dynamoReviewPorts(db, env.CUSTOMER_TABLE_NAME, {
  graph: dynamoIdentityGraph(db, env.CUSTOMER_TABLE_NAME, now),
  onMerged: async (survivor, merged) => {
    await mergeCustomerProfiles(survivor, merged, profiles, DEFAULT_PROFILE_SETTINGS, now());
  },
});
const audit = sqsAuditQueueFromEnv(sqsClient());
const idempotency = new SingleTableIdempotencyStore(dynamoDbClient(), env.CUSTOMER_TABLE_NAME);

/**
 * The suggested-match review queue: `GET /identity/suggested-matches?limit&cursor` (pending, newest first, a
 * page at a time; admin and service) and `POST /identity/suggested-matches/{pair}/decision`
 * `{ verdict: approve|reject, note? }` (admin): approve merges the two customers, reject keeps them apart.
 */
const handle = async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyResultV2> => {
  const pair = event.pathParameters?.pair;
  if (!pair) {
    const allowed = authorize(event, 'matches:read');
    if (!allowed.ok) return allowed.response;
    const query = queryParams(event, suggestedMatchesQuery);
    if (!query.ok) return query.response;
    try {
      const page = await review.pending(query.value.limit, query.value.cursor);
      return jsonResponse(200, { items: page.items, ...(page.next ? { next: page.next } : {}) });
    } catch (error) {
      if (error instanceof SuggestedMatchCursorError)
        return problemResponse(400, 'Invalid cursor', error.message, {
          errors: [{ pointer: '/query/cursor', detail: error.message }],
        });
      throw error;
    }
  }
  const allowed = authorize(event, 'matches:decide');
  if (!allowed.ok) return allowed.response;
  const { caller } = allowed;
  const body = jsonBody(event, matchDecisionBody, '{ verdict: approve|reject, note? }');
  if (!body.ok) return body.response;
  const outcome = await reviewSuggestedMatch(
    pair,
    {
      verdict: body.value.verdict,
      by: caller.subject,
      at: now(),
      ...(body.value.note ? { note: body.value.note } : {}),
    },
    review,
  );
  switch (outcome.kind) {
    case 'decided':
      await recordAudit(
        audit,
        event,
        caller,
        body.value.verdict === 'approve' ? 'match.approve' : 'match.reject',
        { type: 'suggested-match', id: pair.replaceAll('|', '/') },
        ['identities', 'profile'],
      );
      return jsonResponse(200, { item: outcome.item, effect: outcome.effect });
    case 'not-found':
      return problemResponse(404, 'No such suggested match');
    case 'conflict':
      return problemResponse(409, 'Already decided the other way', `status: ${outcome.item.status}`);
  }
};

/** POSTs under an `Idempotency-Key` replay their first response (see `idempotentPost`). */
export const handler = idempotentPost(handle, { store: idempotency });
