import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, type IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { SingleTableIdempotencyStore } from '../../../shared/adapters/dynamodb/idempotency.store.ts';
import { jsonResponse, problemResponse } from '../../../shared/runtime/http-response.ts';
import { idempotentPost } from '../../../shared/runtime/idempotent-post.ts';

/** Powertools' persistence contract in memory: put fails when a live record exists, as DynamoDB's condition. */
class MemoryStore extends BasePersistenceLayer {
  readonly records = new Map<string, IdempotencyRecord>();
  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    if (existing && !existing.isExpired()) throw new IdempotencyItemAlreadyExistsError('exists', existing);
    this.records.set(record.idempotencyKey, record);
  }
  protected async _getRecord(key: string): Promise<IdempotencyRecord> {
    const found = this.records.get(key);
    if (!found) throw new IdempotencyItemNotFoundError();
    return found;
  }
  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.records.set(record.idempotencyKey, record);
  }
  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

const context = { getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

const post = (
  opts: { key?: string; body?: string; sub?: string; path?: string; method?: string } = {},
): APIGatewayProxyEventV2WithJWTAuthorizer =>
  ({
    routeKey: 'POST /customers/{id}/unmerge',
    rawPath: opts.path ?? '/customers/c-1/unmerge',
    rawQueryString: '',
    headers: opts.key === undefined ? {} : { 'idempotency-key': opts.key },
    body: opts.body ?? '{"mergedCustomerId":"c-2","reason":"wrong merge"}',
    isBase64Encoded: false,
    requestContext: {
      http: { method: opts.method ?? 'POST' },
      authorizer: { jwt: { claims: { sub: opts.sub ?? 'admin-1' }, scopes: [] } },
    },
  }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

/** A handler that counts its runs and answers with the run number, or what `respond` says. */
const counting = (respond?: (run: number) => APIGatewayProxyStructuredResultV2) => {
  let runs = 0;
  const handler = async () => {
    runs += 1;
    return respond ? respond(runs) : jsonResponse(201, { run: runs });
  };
  return { handler, runs: () => runs };
};

const bodyOf = (r: unknown) => JSON.parse(String((r as APIGatewayProxyStructuredResultV2).body)) as unknown;

describe('idempotentPost', () => {
  it('replays the first response (status, body) under the same key without running again', async () => {
    // Prepare
    const target = counting();
    const handler = idempotentPost(target.handler, { store: new MemoryStore() });
    // Act
    const first = (await handler(post({ key: 'k-1' }), context)) as APIGatewayProxyStructuredResultV2;
    const again = (await handler(post({ key: 'k-1' }), context)) as APIGatewayProxyStructuredResultV2;
    // Assess
    expect(target.runs()).toBe(1);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(bodyOf(again)).toEqual({ run: 1 });
    expect(again.headers).toMatchObject({ 'idempotent-replayed': 'true' });
    expect(first.headers?.['idempotent-replayed']).toBeUndefined();
  });

  it('treats the same JSON with other key order or spacing as the same request, and accepts a quoted key', async () => {
    const target = counting();
    const handler = idempotentPost(target.handler, { store: new MemoryStore() });
    await handler(post({ key: 'k-1' }), context);
    const reordered = await handler(
      post({ key: '"k-1"', body: '{ "reason": "wrong merge", "mergedCustomerId": "c-2" }' }),
      context,
    );
    expect(target.runs()).toBe(1);
    expect(bodyOf(reordered)).toEqual({ run: 1 });
  });

  it('answers 422 when the key comes back with another body or another path, and keeps the first response', async () => {
    const target = counting();
    const handler = idempotentPost(target.handler, { store: new MemoryStore() });
    await handler(post({ key: 'k-1' }), context);
    const otherBody = (await handler(
      post({ key: 'k-1', body: '{"mergedCustomerId":"c-3","reason":"wrong merge"}' }),
      context,
    )) as APIGatewayProxyStructuredResultV2;
    const otherPath = (await handler(
      post({ key: 'k-1', path: '/customers/c-9/unmerge' }),
      context,
    )) as APIGatewayProxyStructuredResultV2;
    expect(otherBody.statusCode).toBe(422);
    expect(otherBody.headers).toMatchObject({ 'content-type': 'application/problem+json' });
    expect(otherPath.statusCode).toBe(422);
    // The mismatch did not disturb the stored record: the original request still replays.
    expect(bodyOf(await handler(post({ key: 'k-1' }), context))).toEqual({ run: 1 });
    expect(target.runs()).toBe(1);
  });

  it('answers 409 while the first request with the key is still running, then replays it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let runs = 0;
    const handler = idempotentPost(
      async () => {
        runs += 1;
        await gate;
        return jsonResponse(200, { done: true });
      },
      { store: new MemoryStore() },
    );
    const first = handler(post({ key: 'k-1' }), context);
    const concurrent = (await handler(post({ key: 'k-1' }), context)) as APIGatewayProxyStructuredResultV2;
    expect(concurrent.statusCode).toBe(409);
    expect(concurrent.headers).toMatchObject({ 'content-type': 'application/problem+json' });
    release();
    expect(((await first) as APIGatewayProxyStructuredResultV2).statusCode).toBe(200);
    const replay = (await handler(post({ key: 'k-1' }), context)) as APIGatewayProxyStructuredResultV2;
    expect(replay.statusCode).toBe(200);
    expect(runs).toBe(1);
  });

  it('scopes keys per caller: another subject with the same key runs on its own', async () => {
    const target = counting();
    const handler = idempotentPost(target.handler, { store: new MemoryStore() });
    await handler(post({ key: 'k-1', sub: 'admin-1' }), context);
    const other = await handler(post({ key: 'k-1', sub: 'admin-2' }), context);
    expect(bodyOf(other)).toEqual({ run: 2 });
  });

  it('does not remember refusals, validation failures or errors, so a corrected retry under the key runs', async () => {
    const statuses = [400, 403, 503];
    const target = counting((run) =>
      run <= statuses.length ? problemResponse(statuses[run - 1] ?? 500, 'No') : jsonResponse(201, { run }),
    );
    const handler = idempotentPost(target.handler, { store: new MemoryStore() });
    for (const status of statuses)
      expect(
        ((await handler(post({ key: 'k-1' }), context)) as APIGatewayProxyStructuredResultV2).statusCode,
      ).toBe(status);
    expect(bodyOf(await handler(post({ key: 'k-1' }), context))).toEqual({ run: 4 });
    const thrown = idempotentPost(
      async () => {
        throw new Error('boom');
      },
      { store: new MemoryStore() },
    );
    await expect(thrown(post({ key: 'k-2' }), context)).rejects.toThrow('boom');
  });

  it('remembers domain outcomes such as 404 and 409', async () => {
    const target = counting(() => problemResponse(409, 'Not merged into this customer'));
    const handler = idempotentPost(target.handler, { store: new MemoryStore() });
    await handler(post({ key: 'k-1' }), context);
    const replay = (await handler(post({ key: 'k-1' }), context)) as APIGatewayProxyStructuredResultV2;
    expect(replay.statusCode).toBe(409);
    expect(replay.headers).toMatchObject({ 'idempotent-replayed': 'true' });
    expect(target.runs()).toBe(1);
  });

  it('passes requests without the header and non-POST requests straight through, and refuses a malformed key', async () => {
    const store = new MemoryStore();
    const target = counting();
    const handler = idempotentPost(target.handler, { store });
    await handler(post(), context);
    await handler(post(), context);
    await handler(post({ key: 'k-1', method: 'GET' }), context);
    await handler(post({ key: 'k-1', method: 'GET' }), context);
    expect(target.runs()).toBe(4);
    expect(store.records.size).toBe(0);
    for (const bad of ['', 'x'.repeat(256), 'with space', 'naïve']) {
      const r = (await handler(post({ key: bad }), context)) as APIGatewayProxyStructuredResultV2;
      expect(r.statusCode, bad).toBe(400);
    }
    expect(target.runs()).toBe(4);
  });
});

describe('SingleTableIdempotencyStore', () => {
  it('keeps each record in its own partition of the single table, expiring through expiresAt', async () => {
    // Prepare
    const client = new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const mock = mockClient(client);
    mock.on(PutItemCommand).resolves({});
    const store = new SingleTableIdempotencyStore(client, 'customers');
    const handler = idempotentPost(async () => jsonResponse(201, {}), { store });
    mock.on(PutItemCommand).rejects(new Error('stop after the put'));
    // Act
    await expect(handler(post({ key: 'k-1' }), context)).rejects.toThrow();
    // Assess
    const put = mock.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(put?.TableName).toBe('customers');
    expect(put?.Item?.pk?.S).toMatch(/^IDEMPOTENCY#post#.+/);
    expect(put?.Item?.sk?.S).toBe('IDEMPOTENCY');
    expect(Number(put?.Item?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000);
    expect(put?.Item?.status?.S).toBe('INPROGRESS');
  });
});
