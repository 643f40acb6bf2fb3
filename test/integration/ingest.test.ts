import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validChannelEnvelopes } from '../../events/fixtures/channel-envelope.v1.fixture.ts';
import { newWriteKey } from '../../infra/cli/source.command.ts';
import { quarantineBucket } from '../../infra/definitions/buckets.definition.ts';
import { ingestStream } from '../../infra/definitions/streams.definition.ts';
import { loadOrCreateDevKeys, signDevToken } from '../../infra/local/auth/dev-tokens.ts';
import { DEV_KEYS_FILE } from '../../infra/local/local-paths.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { readQualityCounters } from '../../shared/adapters/dynamodb/quality.repository.ts';
import { dynamoSourceRepository } from '../../shared/adapters/dynamodb/source.repository.ts';
import { createChannelProducer } from '../../shared/adapters/kinesis/channel-event.producer.ts';
import { qualityReport } from '../../shared/domain/ingest/quality-report.ts';
import { eventually } from '../helpers/eventually.ts';

describe('Ingestion and cleaning on the local stack', () => {
  let stack: LocalStack;
  let db: DynamoDBDocumentClient;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    db = DynamoDBDocumentClient.from(stack.clients.dynamodb);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const scan = async (prefix: string) => {
    const items: Record<string, unknown>[] = [];
    for await (const page of paginateScan(
      { client: db },
      {
        TableName: stack.names.table,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': prefix },
      },
    ))
      items.push(...(page.Items ?? []));
    return items;
  };
  const report = async (source: string) => {
    const today = new Date().toISOString().slice(0, 10);
    return qualityReport(await readQualityCounters(db, stack.names.table, today, today)).find(
      (s) => s.source === source,
    );
  };

  it('takes identify, track and page from the real Segment client and stores them cleaned', async () => {
    const writeKey = newWriteKey();
    await dynamoSourceRepository(db, stack.names.table).addWriteKey(
      { name: 'segment-web', createdAt: new Date().toISOString() },
      writeKey,
    );
    const analytics = new Analytics({ writeKey, host: stack.endpoints.api, flushAt: 3, maxRetries: 2 });
    analytics.identify({
      userId: 'seg-user-1',
      traits: { email: ' Ann.Lee@Example.com ', phone: '138 0013 8000', name: 'Ann Lee' },
    });
    analytics.track({
      userId: 'seg-user-1',
      event: 'Order Completed',
      properties: { total: 99.5, currency: 'CNY' },
    });
    analytics.page({ anonymousId: 'anon-9', name: 'Pricing', properties: { path: '/pricing' } });
    await analytics.closeAndFlush();

    const events = await eventually(
      async () =>
        (await scan('EVENT#'))
          .map(
            (i) =>
              i.event as {
                source: string;
                type: string;
                identities: unknown[];
                payload: { type: string };
                traits: Record<string, unknown>;
              },
          )
          .filter((e) => e.source === 'segment-web'),
      (e) => e.length === 3,
    );
    const identify = events.find((e) => e.payload.type === 'identify');
    expect(identify?.identities).toEqual([
      { type: 'userId', value: 'seg-user-1' },
      { type: 'email', value: 'ann.lee@example.com' },
      { type: 'phone', value: '+8613800138000' },
    ]);
    expect(identify?.traits).toMatchObject({ name: 'Ann Lee', country: 'CN' });
    expect(events.map((e) => e.payload.type).sort()).toEqual(['identify', 'page', 'track']);
  });

  it('accepts a gzip body, and serves the quality report only to roles allowed to see it', async () => {
    const writeKey = newWriteKey();
    await dynamoSourceRepository(db, stack.names.table).addWriteKey(
      { name: 'gzip-web', createdAt: new Date().toISOString() },
      writeKey,
    );
    const body = gzipSync(
      JSON.stringify({ batch: [{ type: 'track', userId: 'gz-1', event: 'Zipped', messageId: 'gz-msg-1' }] }),
    );
    const res = await fetch(`${stack.endpoints.api}/v1/batch`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, accepted: 1 });
    await eventually(
      () => report('gzip-web'),
      (q) => q?.accepted === 1,
    );

    const keys = await loadOrCreateDevKeys(DEV_KEYS_FILE);
    const asRole = async (role: string) =>
      fetch(`${stack.endpoints.api}/quality`, {
        headers: { authorization: `Bearer ${await signDevToken(keys, { role })}` },
      });
    const analyst = await asRole('analyst');
    expect(analyst.status).toBe(200);
    const sources = ((await analyst.json()) as { sources: { source: string; accepted: number }[] }).sources;
    expect(sources.find((s) => s.source === 'gzip-web')?.accepted).toBe(1);
    expect((await asRole('sales')).status).toBe(403);
    expect((await fetch(`${stack.endpoints.api}/quality`)).status).toBe(401);
  });

  it('refuses a wrong write key and an oversized batch with a clear error', async () => {
    const post = (auth: string, body: string) =>
      fetch(`${stack.endpoints.api}/v1/batch`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${auth}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body,
      });
    const unknown = await post('c360_wk_nope', '{"batch":[]}');
    expect(unknown.status).toBe(401);
    const writeKey = newWriteKey();
    await dynamoSourceRepository(db, stack.names.table).addWriteKey(
      { name: 'limits', createdAt: new Date().toISOString() },
      writeKey,
    );
    const big = await post(
      writeKey,
      JSON.stringify({
        batch: [{ type: 'track', userId: 'u', event: 'x', properties: { blob: 'x'.repeat(40_000) } }],
      }),
    );
    expect(big.status).toBe(400);
    expect(((await big.json()) as { error: string }).error).toMatch(
      /batch\[0\] is \d+ bytes; the limit per message is 32768/,
    );
  });

  it('accounts for every one of 10,000 mixed events: accepted + quarantined + duplicates = sent', async () => {
    const source = 'mixed-load';
    const run = randomUUID().slice(0, 8);
    const valid = validChannelEnvelopes.map((f) => f.input);
    const records: { data: string; key: string }[] = [];
    const validSent: string[] = [];
    for (let i = 0; i < 7000; i++) {
      const base = valid[i % valid.length] as Record<string, unknown>;
      const e = { ...base, source, messageId: `${run}-ok-${i}` };
      records.push({ data: JSON.stringify(e), key: `k${i % 97}` });
      validSent.push(JSON.stringify(e));
    }
    // Redelivered duplicates: the same message again, later.
    for (let i = 0; i < 1000; i++) records.push({ data: validSent[i * 7] ?? '', key: `k${i % 97}` });
    for (let i = 0; i < 800; i++)
      records.push({
        data: `{"specVersion":"1","source":"${source}","messageId":"${run}-bad-${i}",`,
        key: `m${i}`,
      });
    for (let i = 0; i < 500; i++)
      records.push({
        data: JSON.stringify({
          ...valid[3],
          source,
          messageId: `${run}-big-${i}`,
          payload: { name: 'big', properties: { blob: 'x'.repeat(33_000) } },
        }),
        key: `b${i}`,
      });
    for (let i = 0; i < 700; i++)
      records.push({
        data: JSON.stringify({
          ...valid[0],
          source,
          messageId: `${run}-type-${i}`,
          occurredAt: i % 2 ? true : { when: 'now' },
        }),
        key: `t${i}`,
      });
    expect(records).toHaveLength(10_000);

    // The producer batches within PutRecords' limits and retries failed entries; unchecked, so bad records go too.
    const producer = createChannelProducer({
      client: stack.clients.kinesis,
      streamName: stack.names.stream(ingestStream.id),
    });
    const sent = await producer.sendUnchecked(
      records.map((r, i) => ({ messageId: String(i), partitionKey: r.key, json: r.data })),
    );
    expect(sent).toEqual({ sent: 10_000, failed: [] });

    const mine = (pk: unknown) => String(pk).includes(run);
    const quality = await eventually(
      () => report(source),
      (q) => (q?.received ?? 0) >= records.length,
      { timeoutMs: 300_000, intervalMs: 1000 },
    );
    // A little longer, so a record counted twice would show.
    await new Promise((r) => setTimeout(r, 2000));
    const final = await report(source);
    // Every record is accounted for exactly once; each redelivered duplicate is counted once, not stored.
    expect(final).toMatchObject({ received: 10_000, accepted: 7000, quarantined: 2000, duplicates: 1000 });
    expect((final?.accepted ?? 0) + (final?.quarantined ?? 0) + (final?.duplicates ?? 0)).toBe(
      records.length,
    );
    expect(Object.keys(final?.quarantinedByReason ?? {}).sort()).toEqual([
      'envelope.malformed-json',
      'envelope.too-large',
      expect.stringMatching(/^schema: occurredAt: expected a timestamp/),
    ]);
    expect(quality).toBeDefined();

    // What the counters say is what is stored.
    expect((await scan('EVENT#')).filter((i) => mine(i.pk))).toHaveLength(7000);
    const markers = (await scan('QUARANTINE#')).filter(
      (i) => mine(i.pk) || String(i.pk).startsWith('QUARANTINE#unknown#'),
    );
    expect(markers.length).toBeGreaterThanOrEqual(2000);
    const objects: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client: stack.clients.s3 },
      { Bucket: stack.names.bucket(quarantineBucket.id), Prefix: `quarantine/source=${source}/` },
    ))
      objects.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
    expect(objects).toHaveLength(2000);
    const sample = await stack.clients.s3.send(
      new GetObjectCommand({ Bucket: stack.names.bucket(quarantineBucket.id), Key: objects[0] }),
    );
    const body = JSON.parse((await sample.Body?.transformToString()) ?? '{}') as {
      reasons: string[];
      original: string;
    };
    expect(body.reasons.length).toBeGreaterThan(0);
    expect(body.original.length).toBeGreaterThan(0);
    // DynamoDB Local takes a few hundred transactional writes a second: this test needs minutes, not seconds.
  }, 400_000);
});
