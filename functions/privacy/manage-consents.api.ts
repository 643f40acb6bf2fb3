import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { CONSENT_PURPOSES, CONTACT_CHANNELS } from '#events/privacy/consent-recorded.v1.ts';
import { documentClient, dynamoDbClient, sqsClient } from '#shared/adapters/aws/aws-clients.ts';
import { dynamoConsent } from '#shared/adapters/dynamodb/consent.repository.ts';
import { SingleTableIdempotencyStore } from '#shared/adapters/dynamodb/idempotency.store.ts';
import { sqsAuditQueueFromEnv } from '#shared/adapters/sqs/audit-queue.sender.ts';
import { consentCustomerPath, consentRecordBodyFor, consentStateQuery } from '#shared/api/privacy.schemas.ts';
import { consentKey, mayContact } from '#shared/domain/privacy/consent-ledger.ts';
import { recordAudit } from '#shared/runtime/audit-trail.ts';
import { authorize } from '#shared/runtime/caller.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { jsonBody, pathParams, queryParams } from '#shared/runtime/http-request.ts';
import { jsonResponse, problemResponse } from '#shared/runtime/http-response.ts';
import { idempotentPost } from '#shared/runtime/idempotent-post.ts';
import { CustomerErasedError } from '#shared/use-cases/identity/read-customer.use-case.ts';
import {
  ConsentRecordConflictError,
  ConsentRecordRejectedError,
  consentState,
  type PersonConsentState,
  recordConsent,
} from '#shared/use-cases/privacy/consent.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1) });
const ports = dynamoConsent(documentClient(), env.CUSTOMER_TABLE_NAME);
const audit = sqsAuditQueueFromEnv(sqsClient());
const idempotency = new SingleTableIdempotencyStore(dynamoDbClient(), env.CUSTOMER_TABLE_NAME);

/** As `GET /customers/{id}` answers for an erased customer. */
const erased = (error: CustomerErasedError) =>
  problemResponse(410, 'Customer erased', 'Erased on a data-subject request; nothing is kept', {
    erasedAt: error.erasedAt,
  });

/**
 * `POST /customers/{id}/consents` `{ recordId, purpose, channel, status, legalBasis, source, occurredAt,
 * evidence?, expiresAt? }`: appends to the ledger (201; the same record again 200; other content under the
 * same recordId 409; a time in the future 422). `GET /customers/{id}/consents?at=`: the record in effect per
 * purpose × channel and, for every pair, whether a send is allowed and why — for the person: an id merged
 * into another answers for the survivor, with `mergedFrom`. An erased customer is a 410 either way.
 */
const handle = async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyResultV2> => {
  const write = event.requestContext.http.method === 'POST';
  const allowed = authorize(event, write ? 'consents:write' : 'consents:read');
  if (!allowed.ok) return allowed.response;
  // API Gateway hands path parameters over decoded.
  const path = pathParams(event, consentCustomerPath);
  if (!path.ok) return path.response;
  const customerId = path.value.id;
  const now = new Date().toISOString();
  if (!write) {
    const q = queryParams(event, consentStateQuery, 'at must be an ISO-8601 UTC time with milliseconds');
    if (!q.ok) return q.response;
    const when = q.value.at ?? now;
    let state: PersonConsentState;
    try {
      state = await consentState(ports, customerId, when);
    } catch (error) {
      if (error instanceof CustomerErasedError) return erased(error);
      throw error;
    }
    const decisions = CONSENT_PURPOSES.flatMap((purpose) =>
      CONTACT_CHANNELS.map((channel) => ({
        purpose,
        channel,
        ...mayContact(state, purpose, channel, when),
      })),
    );
    return jsonResponse(200, {
      customerId: state.customerId,
      ...(state.mergedFrom === undefined ? {} : { mergedFrom: state.mergedFrom }),
      at: when,
      current: state.current,
      decisions,
    });
  }
  const body = jsonBody(
    event,
    consentRecordBodyFor(customerId),
    '{ recordId, purpose, channel, status, legalBasis, source, occurredAt, evidence?, expiresAt? }',
  );
  if (!body.ok) return body.response;
  if (body.value.customerId !== customerId)
    return problemResponse(400, 'Invalid body', 'customerId must be the customer of the path', {
      errors: [{ pointer: '/body/customerId', detail: 'must be the customer of the path' }],
    });
  try {
    const result = await recordConsent(ports, body.value, now);
    if (result.outcome === 'recorded')
      await recordAudit(
        audit,
        event,
        allowed.caller,
        'consent.record',
        { type: 'customer', id: customerId },
        [`consent.${result.record.purpose}.${result.record.channel}`],
      );
    return jsonResponse(result.outcome === 'recorded' ? 201 : 200, {
      outcome: result.outcome,
      record: result.record,
      key: consentKey(result.record.purpose, result.record.channel),
    });
  } catch (error) {
    if (error instanceof ConsentRecordConflictError) return problemResponse(409, 'Conflict', error.message);
    if (error instanceof ConsentRecordRejectedError)
      return problemResponse(422, 'Unprocessable', error.message);
    if (error instanceof CustomerErasedError) return erased(error);
    throw error;
  }
};

/** POSTs under an `Idempotency-Key` replay their first response (see `idempotentPost`). */
export const handler = idempotentPost(handle, { store: idempotency });
