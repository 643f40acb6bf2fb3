/**
 * Segment HTTP tracking API semantics (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/):
 * calls, limits, how batch-level fields reach each message, and how a message becomes a c360 channel envelope.
 */

export const SEGMENT_CALLS = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type SegmentCall = (typeof SEGMENT_CALLS)[number];

/** Segment's documented limits. */
export const SEGMENT_LIMITS = { maxMessageBytes: 32 * 1024, maxBatchBytes: 500 * 1024 } as const;

export class CollectRequestError extends Error {
  override readonly name = 'CollectRequestError';
  /** What is wrong, as a JSON Pointer into the request (`/body…` or `/path/call`). */
  readonly pointer: string;
  constructor(message: string, pointer = '/body') {
    super(message);
    this.pointer = pointer;
  }
}

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The messages of a collect request. `/v1/batch` carries `batch: [...]` whose messages inherit the request's
 * `context` and `integrations`; the other paths carry one message whose type is the path.
 * Throws CollectRequestError for what Segment answers with 400.
 */
export const messagesOf = (call: string, body: unknown, bodyBytes: number): Json[] => {
  if (!isObject(body)) throw new CollectRequestError('The request body must be a JSON object');
  if (call === 'batch') {
    if (bodyBytes > SEGMENT_LIMITS.maxBatchBytes)
      throw new CollectRequestError(
        `The batch is ${bodyBytes} bytes; the limit is ${SEGMENT_LIMITS.maxBatchBytes}`,
      );
    if (!Array.isArray(body.batch))
      throw new CollectRequestError("A batch request needs a 'batch' array", '/body/batch');
    const shared: Json = {};
    if (isObject(body.context)) shared.context = body.context;
    if (isObject(body.integrations)) shared.integrations = body.integrations;
    return body.batch.map((m, i) => {
      if (!isObject(m)) throw new CollectRequestError(`batch[${i}] is not an object`, `/body/batch/${i}`);
      checkMessageSize(m, `batch[${i}]`);
      return {
        ...shared,
        ...m,
        context: { ...(shared.context as Json | undefined), ...(isObject(m.context) ? m.context : {}) },
      };
    });
  }
  if (!(SEGMENT_CALLS as readonly string[]).includes(call))
    throw new CollectRequestError(`Unknown call /v1/${call}`, '/path/call');
  if (bodyBytes > SEGMENT_LIMITS.maxMessageBytes)
    throw new CollectRequestError(
      `The message is ${bodyBytes} bytes; the limit is ${SEGMENT_LIMITS.maxMessageBytes}`,
    );
  return [{ ...body, type: call }];
};

const checkMessageSize = (m: Json, where: string): void => {
  const bytes = new TextEncoder().encode(JSON.stringify(m)).byteLength;
  if (bytes > SEGMENT_LIMITS.maxMessageBytes)
    throw new CollectRequestError(
      `${where} is ${bytes} bytes; the limit per message is ${SEGMENT_LIMITS.maxMessageBytes}`,
    );
};

/** Mobile libraries send device and app context; everything else counts as web. */
const channelOf = (m: Json): 'app' | 'web' => {
  const ctx = isObject(m.context) ? m.context : {};
  return isObject(ctx.device) || isObject(ctx.app) || isObject(ctx.os) ? 'app' : 'web';
};

const str = (x: unknown): string | undefined =>
  typeof x === 'string' && x.length > 0 ? x : typeof x === 'number' ? String(x) : undefined;

/**
 * A Segment message as a c360 channel envelope (`segment.message`). Only `userId`/`anonymousId` are lifted
 * into identities here; the cleaning stage reads e-mail, phone and the rest from the traits, so there is one
 * place that decides what counts as an identity.
 */
export const segmentEnvelope = (
  m: Json,
  ctx: { readonly source: string; readonly receivedAt: string; readonly fallbackMessageId: string },
): Json => {
  const identities: Json = {};
  const userId = str(m.userId);
  const anonymousId = str(m.anonymousId);
  if (userId) identities.userId = userId;
  if (anonymousId) identities.anonymousId = anonymousId;
  return {
    specVersion: '1',
    messageId: str(m.messageId) ?? ctx.fallbackMessageId,
    type: 'segment.message',
    source: ctx.source,
    channel: channelOf(m),
    occurredAt: m.timestamp ?? m.originalTimestamp ?? ctx.receivedAt,
    ...(m.sentAt !== undefined ? { sentAt: m.sentAt } : {}),
    receivedAt: ctx.receivedAt,
    identities,
    payload: m,
  };
};
