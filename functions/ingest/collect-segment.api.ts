import { randomUUID } from 'node:crypto';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { documentClient, kinesisClient } from '#shared/adapters/aws/aws-clients.ts';
import { dynamoSourceRepository } from '#shared/adapters/dynamodb/source.repository.ts';
import { createChannelProducer } from '#shared/adapters/kinesis/channel-event.producer.ts';
import { CollectRequestError, SEGMENT_LIMITS } from '#shared/domain/ingest/segment-collect.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { jsonResponse, problemResponse } from '#shared/runtime/http-response.ts';
import {
  collectSegment,
  IngestUnavailableError,
  WriteKeyRejectedError,
} from '#shared/use-cases/ingest/collect-segment.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1), INGEST_STREAM_NAME: z.string().min(1) });
const sources = dynamoSourceRepository(documentClient(), env.CUSTOMER_TABLE_NAME);
const producer = createChannelProducer({
  client: kinesisClient(),
  streamName: env.INGEST_STREAM_NAME,
  maxRetries: 3,
});

// Write keys rarely change: a short cache spares a table read per request on a hot source.
const keyCache = new Map<string, { source: string | undefined; until: number }>();
const sourceOfWriteKey = async (key: string): Promise<string | undefined> => {
  const hit = keyCache.get(key);
  if (hit && hit.until > Date.now()) return hit.source;
  const source = await sources.findByWriteKey(key);
  keyCache.set(key, { source, until: Date.now() + (source ? 60_000 : 5_000) });
  return source;
};

/** Segment clients authenticate with the write key as the Basic user name (some send it in the body). */
const writeKeyOf = (event: APIGatewayProxyEventV2, body: unknown): string | undefined => {
  const auth = event.headers.authorization ?? '';
  const basic = /^Basic\s+(.+)$/i.exec(auth)?.[1];
  if (basic) return Buffer.from(basic, 'base64').toString('utf8').split(':')[0] || undefined;
  return typeof body === 'object' && body !== null && 'writeKey' in body && typeof body.writeKey === 'string'
    ? body.writeKey
    : undefined;
};

/** The body as bytes, decompressed; a decompressed size beyond Segment's batch limit is refused early. */
const bodyOf = (event: APIGatewayProxyEventV2): Buffer => {
  const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const encoding = (event.headers['content-encoding'] ?? '').toLowerCase();
  const maxOutputLength = SEGMENT_LIMITS.maxBatchBytes + 1;
  try {
    if (encoding === 'gzip') return gunzipSync(raw, { maxOutputLength });
    if (encoding === 'deflate') return inflateSync(raw, { maxOutputLength });
  } catch (error) {
    const tooLarge =
      error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new CollectRequestError(
      tooLarge
        ? `The decompressed body exceeds ${SEGMENT_LIMITS.maxBatchBytes} bytes`
        : `The body is not valid ${encoding}`,
    );
  }
  return raw;
};

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  try {
    const bytes = bodyOf(event);
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new CollectRequestError('The body is not valid JSON');
    }
    const result = await collectSegment(
      {
        call: event.pathParameters?.call ?? '',
        body,
        bodyBytes: bytes.length,
        writeKey: writeKeyOf(event, body),
        receivedAt: new Date().toISOString(),
      },
      { sourceOfWriteKey, put: producer.sendUnchecked, newMessageId: randomUUID },
    );
    return jsonResponse(200, {
      success: true,
      accepted: result.accepted,
      ...(result.invalid.length ? { invalid: result.invalid } : {}),
    });
  } catch (error) {
    // Problem details (RFC 9457) with the members Segment's clients read (`success`, `error`).
    if (error instanceof WriteKeyRejectedError)
      return problemResponse(401, 'Unauthorized', error.message, { success: false, error: error.message });
    if (error instanceof CollectRequestError)
      return problemResponse(400, 'Invalid request', error.message, {
        success: false,
        error: error.message,
        errors: [{ pointer: error.pointer, detail: error.message }],
      });
    if (error instanceof IngestUnavailableError)
      return problemResponse(503, 'Service Unavailable', 'Try again later', {
        success: false,
        error: 'Try again later',
      });
    throw error;
  }
};
