import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { documentClient, dynamoDbClient, s3Client, sqsClient } from '#shared/adapters/aws/aws-clients.ts';
import { SingleTableIdempotencyStore } from '#shared/adapters/dynamodb/idempotency.store.ts';
import { dynamoCustomerScope } from '#shared/adapters/dynamodb/person-data.store.ts';
import { dynamoSubjectRequests } from '#shared/adapters/dynamodb/subject-request.repository.ts';
import { s3ExportBundles } from '#shared/adapters/s3/export-bundle.store.ts';
import { sqsAuditQueueFromEnv } from '#shared/adapters/sqs/audit-queue.sender.ts';
import { subjectRequestBody, subjectRequestPath } from '#shared/api/subject-request.schemas.ts';
import type { SubjectRequest } from '#shared/domain/privacy/subject-request.ts';
import { recordAudit } from '#shared/runtime/audit-trail.ts';
import { authorize } from '#shared/runtime/caller.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { jsonBody, pathParams } from '#shared/runtime/http-request.ts';
import { jsonResponse, problemResponse } from '#shared/runtime/http-response.ts';
import { idempotentPost } from '#shared/runtime/idempotent-post.ts';
import {
  fileSubjectRequest,
  SubjectRequestNotFoundError,
  SubjectRequestRefusedError,
} from '#shared/use-cases/privacy/subject-request.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1), EXPORT_BUCKET_NAME: z.string().min(1) });
const db = documentClient();
const requests = dynamoSubjectRequests(db, env.CUSTOMER_TABLE_NAME);
const scope = dynamoCustomerScope(db, env.CUSTOMER_TABLE_NAME);
const bundles = s3ExportBundles(s3Client(), env.EXPORT_BUCKET_NAME);
const audit = sqsAuditQueueFromEnv(sqsClient());
const idempotency = new SingleTableIdempotencyStore(dynamoDbClient(), env.CUSTOMER_TABLE_NAME);

const location = (requestId: string) => `/data-subject-requests/${requestId}`;

const view = (request: SubjectRequest) => {
  const { bundleKey, ...rest } = request;
  return {
    ...rest,
    ...(bundleKey && request.status === 'completed'
      ? { bundle: `${location(request.requestId)}/bundle` }
      : {}),
  };
};

/**
 * `POST /data-subject-requests` `{ kind: 'export' | 'erasure', customerId }`: files the request (202, with
 * `Location`); the DataSubjectRequest workflow carries it out. `GET /data-subject-requests/{id}`: its status,
 * counts and, once completed, its receipt. `GET /data-subject-requests/{id}/bundle`: a completed export's
 * JSON bundle (personal data in clear, so the read is audited).
 */
const handle = async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyResultV2> => {
  if (event.requestContext.http.method === 'POST') {
    const allowed = authorize(event, 'subject-requests:write');
    if (!allowed.ok) return allowed.response;
    const body = jsonBody(event, subjectRequestBody, '{ kind, customerId }');
    if (!body.ok) return body.response;
    const requestId = `dsr_${randomUUID().replaceAll('-', '')}`;
    try {
      const request = await fileSubjectRequest(
        { ...requests, scope },
        { ...body.value, filedBy: allowed.caller.subject },
        requestId,
        new Date().toISOString(),
      );
      await recordAudit(audit, event, allowed.caller, `subject-request.${request.kind}`, {
        type: 'customer',
        id: request.customerId,
      });
      const accepted = jsonResponse(202, view(request));
      return { ...accepted, headers: { ...accepted.headers, location: location(requestId) } };
    } catch (error) {
      if (error instanceof SubjectRequestNotFoundError)
        return problemResponse(404, 'Customer not found', error.message);
      if (error instanceof SubjectRequestRefusedError) return problemResponse(409, 'Conflict', error.message);
      throw error;
    }
  }

  const allowed = authorize(event, 'subject-requests:read');
  if (!allowed.ok) return allowed.response;
  const path = pathParams(event, subjectRequestPath);
  if (!path.ok) return path.response;
  const request = await requests.request(path.value.id);
  if (!request) return problemResponse(404, 'Request not found', `No data-subject request ${path.value.id}`);
  if (!event.rawPath.endsWith('/bundle')) return jsonResponse(200, view(request));

  if (request.kind !== 'export')
    return problemResponse(404, 'No bundle', `${request.requestId} is an ${request.kind}, not an export`);
  if (request.bundleDeletedAt !== undefined)
    return problemResponse(410, 'Bundle deleted', 'An erasure of the person deleted this export');
  if (request.status !== 'completed' || !request.bundleKey)
    return problemResponse(
      409,
      'Not ready',
      `The export is ${request.status}; its bundle is not written yet`,
    );
  const text = await bundles.text(request.bundleKey);
  if (text === undefined)
    return problemResponse(410, 'Bundle expired', 'Export bundles are kept 7 days; file a new export');
  await recordAudit(
    audit,
    event,
    allowed.caller,
    'customer.read-pii',
    { type: 'customer', id: request.customerId },
    ['export-bundle'],
  );
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: text,
  };
};

/** POSTs under an `Idempotency-Key` replay their first response (see `idempotentPost`). */
export const handler = idempotentPost(handle, { store: idempotency });
