import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lakeBucket } from '../../infra/definitions/buckets.definition.ts';
import { resources } from '../../infra/definitions/resources.definition.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { eventually } from '../helpers/eventually.ts';

describe('Local stack: the platform as `npm start` runs it', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers GET /health with 200 and every local resource', async () => {
    const res = await fetch(`${stack.endpoints.api}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; resources: Record<string, unknown> };
    expect(body.status).toBe('ok');
    expect(body.resources).toEqual({
      table: stack.names.table,
      bus: stack.names.bus,
      streams: Object.fromEntries(resources.streams.map((s) => [s.id, stack.names.stream(s.id)])),
      queues: Object.fromEntries(resources.queues.map((q) => [q.id, stack.names.queueUrl(q.id)])),
      buckets: Object.fromEntries(resources.buckets.map((b) => [b.id, stack.names.bucket(b.id)])),
    });
  });

  it('carries a domain event from the bus through the rule, queue and archive function into the lake', async () => {
    const put = await stack.clients.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: stack.names.bus,
            Source: resources.bus.source,
            DetailType: 'ProbeHappened',
            Detail: JSON.stringify({ customerId: 'c-123' }),
          },
        ],
      }),
    );
    const eventId = put.Entries?.[0]?.EventId;
    expect(eventId).toBeTruthy();
    const bucket = stack.names.bucket(lakeBucket.id);
    const keys = await eventually(
      async () =>
        (
          await stack.clients.s3.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: 'domain-events/detail_type=ProbeHappened/' }),
          )
        ).Contents?.map((o) => o.Key ?? '') ?? [],
      (k) => k.length > 0,
    );
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(
      /^domain-events\/detail_type=ProbeHappened\/dt=\d{4}-\d\d-\d\d\/[0-9a-f]{32}\.ndjson$/,
    );
    const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[0] }));
    const lines = (await object.Body?.transformToString())?.trim().split('\n') ?? [];
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([{ id: eventId, detail: { customerId: 'c-123' } }]);
  });
});
