import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KinesisEventSource } from '../../infra/definitions/resource.types.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { eventually } from '../helpers/eventually.ts';
import { dlq, probeFunction, testDefinitions } from '../helpers/test-definitions.ts';

const kinesisSource = (overrides: Partial<KinesisEventSource>): KinesisEventSource => ({
  type: 'kinesis',
  streamId: 'ProbeStream',
  startingPosition: 'TRIM_HORIZON',
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  bisectBatchOnError: false,
  maximumRetryAttempts: 3,
  maximumRecordAgeSeconds: -1,
  parallelizationFactor: 1,
  reportBatchItemFailures: true,
  onFailureQueueId: 'ProbeFailures',
  ...overrides,
});

describe('Local stack: Lambda event-source mappings', () => {
  let stack: LocalStack;
  let db: DynamoDBDocumentClient;

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      definitions: testDefinitions({
        queues: [
          dlq('ProbeFailures'),
          dlq('WorkDlq'),
          {
            id: 'WorkQueue',
            envVar: 'WORK_QUEUE_URL',
            // Longer than a cold start of the probe under a loaded CI machine: a handled message must not
            // become visible again (and count a receive) before its batch has been deleted.
            visibilityTimeoutSeconds: 6,
            retentionDays: 1,
            deadLetter: { queueId: 'WorkDlq', maxReceiveCount: 2 },
          },
        ],
        functions: [
          probeFunction('StreamProbe', 'stream-probe.handler.ts'),
          probeFunction('QueueProbe', 'queue-probe.handler.ts'),
          probeFunction('TableProbe', 'table-stream-probe.handler.ts'),
        ],
        eventSources: [
          // Bisect on, 2 retries: a poison record is isolated and discarded alone.
          {
            id: 'ProbeStreamToProbe',
            functionId: 'StreamProbe',
            source: kinesisSource({ batchSize: 8, bisectBatchOnError: true, maximumRetryAttempts: 2 }),
          },
          {
            id: 'OutboxToProbe',
            functionId: 'TableProbe',
            source: {
              ...kinesisSource({ batchSize: 10, maximumRetryAttempts: 2 }),
              type: 'table-stream',
              // Only inserted outbox items: the probe's own writes are filtered out, so it cannot feed itself.
              filters: [
                { eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'OUTBOX#' }] } } } },
              ],
            },
          },
          {
            id: 'WorkQueueToProbe',
            functionId: 'QueueProbe',
            source: {
              type: 'sqs',
              queueId: 'WorkQueue',
              batchSize: 10,
              maxBatchingWindowSeconds: 0,
              reportBatchItemFailures: true,
              maxConcurrency: 1,
            },
          },
        ],
      }),
    });
    db = DynamoDBDocumentClient.from(stack.clients.dynamodb);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const items = async (pk: string) =>
    (
      await db.send(
        new QueryCommand({
          TableName: stack.names.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      )
    ).Items ?? [];

  const putBatch = async (probes: { id: string; behaviour: string }[]) => {
    const out = await stack.clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: stack.names.stream('ProbeStream'),
        // One partition key: one shard, one order.
        Records: probes.map((p) => ({ PartitionKey: 'customer-1', Data: Buffer.from(JSON.stringify(p)) })),
      }),
    );
    expect(out.FailedRecordCount).toBe(0);
    return (out.Records ?? []).map((r) => r.SequenceNumber ?? '');
  };

  const processedCount = async (id: string) => (await items(`PROCESSED#${id}`)).length;
  const invocations = async () => (await items('INVOCATION')).map((i) => i.ids as string[]);

  it('retries a batch with one reported failure only from that record on (checkpointing)', async () => {
    const probes = Array.from({ length: 8 }, (_, i) => ({
      id: `cp-${i}`,
      behaviour: i === 5 ? 'fail-once' : 'ok',
    }));
    await putBatch(probes);

    await eventually(
      () => Promise.all(probes.map((p) => processedCount(p.id))),
      (counts) => counts.every((c) => c >= 1),
    );
    const batches = (await invocations()).filter((ids) => ids.some((id) => id.startsWith('cp-')));
    // First the whole batch, then exactly the failed record and those after it.
    expect(batches[0]).toEqual(probes.map((p) => p.id));
    expect(batches[1]).toEqual(['cp-5', 'cp-6', 'cp-7']);
    expect(batches).toHaveLength(2);
    // Records before the failed one were checkpointed: processed once, never redelivered.
    expect(await Promise.all(probes.map((p) => processedCount(p.id)))).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('sends a poison record to the on-failure DLQ after the retries, and processes the rest of the batch', async () => {
    const probes = Array.from({ length: 8 }, (_, i) => ({
      id: `px-${i}`,
      behaviour: i === 3 ? 'poison' : 'ok',
    }));
    const sequenceNumbers = await putBatch(probes);

    const messages = await eventually(
      async () =>
        (
          await stack.clients.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: stack.names.queueUrl('ProbeFailures'),
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
            }),
          )
        ).Messages ?? [],
      (m) => m.length > 0,
    );
    expect(messages).toHaveLength(1);
    const record = JSON.parse(messages[0]?.Body ?? '{}');
    expect(record.requestContext.condition).toBe('RetryAttemptsExhausted');
    // The first attempt plus two retries.
    expect(record.requestContext.approximateInvokeCount).toBe(3);
    expect(record.KinesisBatchInfo).toMatchObject({
      batchSize: 1,
      startSequenceNumber: sequenceNumbers[3],
      endSequenceNumber: sequenceNumbers[3],
      shardId: 'shardId-000000000000',
    });

    const good = probes.filter((p) => p.behaviour === 'ok');
    // The half after the poison record is processed after the discard; wait for it, then count exactly.
    await eventually(
      () => Promise.all(good.map((p) => processedCount(p.id))),
      (counts) => counts.every((c) => c >= 1),
    );
    expect(await Promise.all(good.map((p) => processedCount(p.id)))).toEqual(good.map(() => 1));
    expect(await processedCount('px-3')).toBe(0);
    // Bisection isolated the poison record: its last three invocations held it alone.
    const alone = (await invocations()).filter((ids) => ids.length === 1 && ids[0] === 'px-3');
    expect(alone).toHaveLength(3);
    expect(stack.streamSources.get('ProbeStreamToProbe')?.stats.recordsDiscarded).toBe(1);
  });

  it('delivers filtered DynamoDB stream records of the table (the outbox) and skips the rest', async () => {
    for (const pk of ['OUTBOX#1', 'OUTBOX#2', 'OTHER#1'])
      await db.send(new PutCommand({ TableName: stack.names.table, Item: { pk, sk: 'X' } }));
    // A modification is not an INSERT: filtered out too.
    await db.send(new PutCommand({ TableName: stack.names.table, Item: { pk: 'OUTBOX#1', sk: 'X', v: 2 } }));
    const seen = await eventually(
      async () => [
        ...(await items('SEEN#OUTBOX#1')),
        ...(await items('SEEN#OUTBOX#2')),
        ...(await items('SEEN#OTHER#1')),
      ],
      (x) => x.length >= 2,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(seen.map((i) => i.pk).sort()).toEqual(['SEEN#OUTBOX#1', 'SEEN#OUTBOX#2']);
    expect(seen.every((i) => i.eventName === 'INSERT')).toBe(true);
    expect(await items('SEEN#OTHER#1')).toEqual([]);
    expect(stack.streamSources.get('OutboxToProbe')?.stats.recordsFiltered).toBeGreaterThan(0);
  });

  it('deletes handled SQS messages and lets the redrive policy move a failing one to the DLQ', async () => {
    const probes = Array.from({ length: 5 }, (_, i) => ({
      id: `q-${i}`,
      behaviour: i === 2 ? 'always-fail' : 'ok',
    }));
    await stack.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.names.queueUrl('WorkQueue'),
        Entries: probes.map((p, i) => ({ Id: String(i), MessageBody: JSON.stringify(p) })),
      }),
    );
    const dead = await eventually(
      async () =>
        (
          await stack.clients.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: stack.names.queueUrl('WorkDlq'),
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
            }),
          )
        ).Messages ?? [],
      (m) => m.length > 0,
      { timeoutMs: 60_000 },
    );
    expect(dead.map((m) => JSON.parse(m.Body ?? '{}').id)).toEqual(['q-2']);
    // Received exactly maxReceiveCount times before the redrive.
    expect((await items('RECEIVED#q-2')).map((i) => i.receiveCount).sort()).toEqual(['1', '2']);
    for (const p of probes.filter((x) => x.behaviour === 'ok'))
      expect(await items(`RECEIVED#${p.id}`)).toHaveLength(1);
  });
});
