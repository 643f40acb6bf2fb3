import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { ResponseHook } from '@aws-lambda-powertools/idempotency/types';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { callerOf } from './caller.ts';
import { problemResponse } from './http-response.ts';

/** The request header (API Gateway hands header names over lower-cased). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set on a replayed response, as Stripe does, so a client can tell a replay from a fresh execution. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
/** How long a key is remembered: a day, like Stripe; the record then expires through the table's TTL. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** A bare token or an RFC 8941 string (`"…"`, as the IETF draft writes it); printable ASCII, 1–255 chars. */
const KEY = /^"?([\x21\x23-\x7e]{1,255})"?$/;

/**
 * Responses that are never remembered: the request did not run (malformed or unauthorised — a corrected retry
 * under the same key must run), or failed on our side (a retry should get a fresh attempt).
 */
const isRemembered = (status: number): boolean =>
  status < 500 && status !== 400 && status !== 401 && status !== 403 && status !== 429;

type Handler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

type JSONValue = ReturnType<ResponseHook>;

/**
 * What identifies a request (hashed into the key) and what it asks for (hashed to detect a changed request).
 * Exported with the configuration so a test can seed a record as a running request would leave it.
 */
export type IdempotentRequest = {
  readonly scope: { readonly caller: string; readonly route: string; readonly key: string };
  readonly request: { readonly path: string; readonly query: string; readonly body: JSONValue };
};

/** Carries a response that must reach the caller without being stored (Powertools stores what returns). */
class UnrememberedResponseError extends Error {
  override readonly name = 'UnrememberedResponseError';
  constructor(readonly response: APIGatewayProxyStructuredResultV2) {
    super(`status ${response.statusCode} is not remembered`);
  }
}

const structured = (result: APIGatewayProxyResultV2): APIGatewayProxyStructuredResultV2 =>
  typeof result === 'object' && result !== null && 'statusCode' in result
    ? result
    : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };

/** The body as JSON when it is JSON (so key order and whitespace do not count as a change), else text. */
const comparableBody = (event: APIGatewayProxyEventV2WithJWTAuthorizer): JSONValue => {
  const text = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  try {
    return JSON.parse(text) as JSONValue;
  } catch {
    return text;
  }
};

/** Prefix of every hashed key (Powertools otherwise uses the function name, which differs per stage). */
export const IDEMPOTENCY_KEY_PREFIX = 'post';

/** The Powertools configuration of every idempotent POST. */
export const idempotencyConfig = (expiresAfterSeconds = IDEMPOTENCY_TTL_SECONDS): IdempotencyConfig =>
  new IdempotencyConfig({
    eventKeyJmesPath: 'scope',
    payloadValidationJmesPath: 'request',
    hashFunction: 'sha256',
    expiresAfterSeconds,
    responseHook: (response) => {
      const r = response as APIGatewayProxyStructuredResultV2;
      return { ...r, headers: { ...r.headers, [IDEMPOTENT_REPLAYED_HEADER]: 'true' } } as JSONValue;
    },
  });

export type IdempotentPostOptions = {
  /** Where first responses are kept (`SingleTableIdempotencyStore` on the customer table). */
  readonly store: BasePersistenceLayer;
  /** @default IDEMPOTENCY_TTL_SECONDS */
  readonly expiresAfterSeconds?: number;
};

/**
 * Makes a route handler's POSTs idempotent under the `Idempotency-Key` header (IETF
 * draft-ietf-httpapi-idempotency-key-header, Stripe semantics), with Powertools idempotency:
 *
 * - the key is scoped to the caller (JWT subject) and the route, so two callers never share a key;
 * - the same key and the same request (path, query, JSON body) replays the first response — status,
 *   headers, body — plus `Idempotent-Replayed: true`, without running the handler again;
 * - the same key with a different request: 422 problem; the first request still running: 409 problem;
 * - 400/401/403/429 and 5xx responses are not remembered, so a corrected retry under the key runs;
 * - the header is optional: without it the handler runs as before (unmerge answers 409 once done, a decision
 *   repeats harmlessly, consents de-duplicate by `recordId`), so existing clients keep working; other methods
 *   pass straight through.
 *
 * Every protected POST route wraps its handler (`export const handler = idempotentPost(handle, { store })`);
 * `test/integration/idempotency-key.test.ts` checks that each one does. The Segment collect route does not:
 * Segment clients give every message a `messageId`, and cleaning de-duplicates by it.
 */
export const idempotentPost = (handler: Handler, options: IdempotentPostOptions): Handler => {
  const config = idempotencyConfig(options.expiresAfterSeconds);
  const run = makeIdempotent(
    async (
      _request: IdempotentRequest,
      event: APIGatewayProxyEventV2WithJWTAuthorizer,
      context: Context,
    ): Promise<APIGatewayProxyStructuredResultV2> => {
      const response = structured(await handler(event, context));
      // Thrown, so Powertools deletes the in-progress record instead of storing the response.
      if (!isRemembered(response.statusCode ?? 200)) throw new UnrememberedResponseError(response);
      return response;
    },
    { persistenceStore: options.store, config, keyPrefix: IDEMPOTENCY_KEY_PREFIX, dataIndexArgument: 0 },
  );

  return async (event, context) => {
    const header = event.headers?.[IDEMPOTENCY_KEY_HEADER];
    if (event.requestContext.http.method !== 'POST' || header === undefined) return handler(event, context);
    const key = KEY.exec(header.trim())?.[1];
    if (!key)
      return problemResponse(
        400,
        'Invalid Idempotency-Key',
        'Idempotency-Key must be 1–255 printable ASCII characters, e.g. a UUID',
      );
    config.registerLambdaContext(context);
    const request: IdempotentRequest = {
      scope: { caller: callerOf(event).subject, route: event.routeKey, key },
      request: { path: event.rawPath, query: event.rawQueryString ?? '', body: comparableBody(event) },
    };
    try {
      return await run(request, event, context);
    } catch (error) {
      if (error instanceof UnrememberedResponseError) return error.response;
      if (error instanceof IdempotencyValidationError)
        return problemResponse(
          422,
          'Idempotency-Key reused',
          'This Idempotency-Key was used for a different request; use a new key for a new request',
        );
      if (error instanceof IdempotencyAlreadyInProgressError)
        return problemResponse(
          409,
          'Request in progress',
          'A request with this Idempotency-Key is still being processed; retry later',
        );
      throw error;
    }
  };
};
