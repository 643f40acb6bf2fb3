import {
  KinesisClient,
  ProvisionedThroughputExceededException,
  PutRecordsCommand,
  type PutRecordsCommandInput,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChannelEnvelopeV1, ChannelEnvelopeV1Of } from '../../../events/channel/channel-envelope.v1.ts';
import {
  invalidChannelEnvelopes,
  posPurchaseEnvelope,
} from '../../../events/fixtures/channel-envelope.v1.fixture.ts';
import {
  ChannelEnvelopeValidationError,
  createChannelProducer,
  KINESIS_PUT_RECORDS_LIMITS,
} from '../../../shared/adapters/kinesis/channel-event.producer.ts';

const kinesis = mockClient(KinesisClient);

const appEvent = (
  n: number,
  identities: ChannelEnvelopeV1['identities'] = { userId: `u-${n}` },
): ChannelEnvelopeV1Of<'app.event'> => ({
  specVersion: '1',
  messageId: `m-${n}`,
  type: 'app.event',
  source: 'app-backend',
  channel: 'app',
  occurredAt: '2024-01-02T05:04:00.000Z',
  identities,
  payload: { name: 'screen_view', screen: 'Home' },
});

const decoder = new TextDecoder();
const putInputs = (): PutRecordsCommandInput[] =>
  kinesis.commandCalls(PutRecordsCommand).map((c) => c.args[0].input);
const messageIdsOf = (input: PutRecordsCommandInput | undefined): string[] =>
  (input?.Records ?? []).map((r) => (JSON.parse(decoder.decode(r.Data)) as { messageId: string }).messageId);

/** Every record accepted. */
const acceptAll = () =>
  kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => ({
    FailedRecordCount: 0,
    Records: (input.Records ?? []).map((_, i) => ({
      SequenceNumber: `${i}`,
      ShardId: 'shardId-000000000000',
    })),
  }));

const sleeps: number[] = [];
const producer = (maxRetries?: number) =>
  createChannelProducer({
    client: new KinesisClient({ region: 'eu-west-1' }),
    streamName: 'c360-ingest',
    ...(maxRetries === undefined ? {} : { maxRetries }),
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
  });

describe('Events: channel event producer', () => {
  beforeEach(() => {
    kinesis.reset();
    sleeps.length = 0;
  });

  it('sends nothing and reports nothing for an empty array', async () => {
    acceptAll();

    await expect(producer().send([])).resolves.toEqual({ sent: 0, failed: [] });
    expect(putInputs()).toHaveLength(0);
  });

  it('batches at 500 records per PutRecords, in order, to the named stream', async () => {
    acceptAll();
    const envelopes = Array.from({ length: 1201 }, (_, i) => appEvent(i));

    const result = await producer().send(envelopes);

    expect(result).toEqual({ sent: 1201, failed: [] });
    const inputs = putInputs();
    expect(inputs.map((i) => i.Records?.length)).toEqual([500, 500, 201]);
    expect(inputs.every((i) => i.StreamName === 'c360-ingest')).toBe(true);
    expect(inputs.flatMap(messageIdsOf)).toEqual(envelopes.map((e) => e.messageId));
  });

  it('batches at 5 MiB of data and partition keys per PutRecords', async () => {
    acceptAll();
    // ~0.9 MiB each: five fit in 5 MiB, six do not.
    const big = (n: number): ChannelEnvelopeV1 => ({
      ...appEvent(n),
      context: { blob: 'x'.repeat(900 * 1024) },
    });

    const result = await producer().send(Array.from({ length: 7 }, (_, i) => big(i)));

    expect(result.sent).toBe(7);
    const inputs = putInputs();
    expect(inputs.map((i) => i.Records?.length)).toEqual([5, 2]);
    for (const input of inputs) {
      const bytes = (input.Records ?? []).reduce(
        (sum, r) => sum + (r.Data?.byteLength ?? 0) + Buffer.byteLength(r.PartitionKey ?? ''),
        0,
      );
      expect(bytes).toBeLessThanOrEqual(KINESIS_PUT_RECORDS_LIMITS.maxRequestBytes);
    }
  });

  it('partitions by the first identity in the documented order, stringified', async () => {
    acceptAll();

    await producer().send([
      appEvent(1, { userId: 'u-1', anonymousId: 'a-1', phone: '+86 138-0013-8000' }),
      appEvent(2, { anonymousId: 'a-2', phone: '+86 138-0013-8000' }),
      appEvent(3, { phone: 13800138000, email: 'zhangwei@example.com' }),
      appEvent(4, { email: 'zhangwei@example.com', deviceId: 'd-4' }),
      appEvent(5, { memberCard: 6228480012345678, crmId: 'CRM-5' }),
      appEvent(6, { wechatOpenId: 'o-6', wechatUnionId: 'un-6' }),
      appEvent(7, { deviceId: 'd-7' }),
      appEvent(8, { custom: { zhihuId: 'z-8', taobaoNick: 'tb-8' } }),
      posPurchaseEnvelope,
    ]);

    expect(putInputs()[0]?.Records?.map((r) => r.PartitionKey)).toEqual([
      'u-1',
      'a-2',
      '13800138000',
      'zhangwei@example.com',
      '6228480012345678',
      'un-6',
      'd-7',
      'tb-8',
      '+86 138-0013-8000',
    ]);
  });

  it('sends each envelope as its JSON', async () => {
    acceptAll();

    await producer().send([posPurchaseEnvelope]);

    const data = putInputs()[0]?.Records?.[0]?.Data;
    expect(JSON.parse(decoder.decode(data))).toEqual(posPurchaseEnvelope);
  });

  it('retries only the failed entries of a partially failed PutRecords, with backoff', async () => {
    kinesis
      .on(PutRecordsCommand)
      .resolvesOnce({
        FailedRecordCount: 2,
        Records: [
          { SequenceNumber: '1', ShardId: 'shardId-000000000000' },
          { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' },
          { SequenceNumber: '3', ShardId: 'shardId-000000000001' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' },
        ],
      })
      .resolvesOnce({
        FailedRecordCount: 1,
        Records: [
          { SequenceNumber: '4', ShardId: 'shardId-000000000000' },
          { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' },
        ],
      })
      .resolvesOnce({
        FailedRecordCount: 0,
        Records: [{ SequenceNumber: '5', ShardId: 'shardId-000000000001' }],
      });

    const result = await producer().send([appEvent(1), appEvent(2), appEvent(3), appEvent(4)]);

    expect(result).toEqual({ sent: 4, failed: [] });
    expect(putInputs().map(messageIdsOf)).toEqual([['m-1', 'm-2', 'm-3', 'm-4'], ['m-2', 'm-4'], ['m-4']]);
    // Full jitter with random() = 0.5: half of 100 ms, then half of 200 ms.
    expect(sleeps).toEqual([50, 100]);
  });

  it('gives up after maxRetries and reports every record still failed with its last error', async () => {
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => {
      const records = input.Records ?? [];
      return {
        FailedRecordCount: records.filter((r) => r.PartitionKey === 'u-2').length,
        Records: records.map((r) =>
          r.PartitionKey === 'u-2'
            ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' }
            : { SequenceNumber: '1', ShardId: 'shardId-000000000000' },
        ),
      };
    });

    const result = await producer(2).send([appEvent(1), appEvent(2), appEvent(3)]);

    expect(result).toEqual({
      sent: 2,
      failed: [
        {
          messageId: 'm-2',
          errorCode: 'ProvisionedThroughputExceededException',
          errorMessage: 'Rate exceeded for shard',
        },
      ],
    });
    expect(putInputs()).toHaveLength(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('treats records missing from the response as failed rather than sent', async () => {
    kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1' }] });

    const result = await producer(0).send([appEvent(1), appEvent(2)]);

    expect(result).toEqual({
      sent: 1,
      failed: [{ messageId: 'm-2', errorCode: 'MissingResult', errorMessage: expect.any(String) }],
    });
  });

  it('retries a throttled request as a whole, then succeeds', async () => {
    kinesis
      .on(PutRecordsCommand)
      .rejectsOnce(
        new ProvisionedThroughputExceededException({
          message: 'Rate exceeded',
          $metadata: { httpStatusCode: 400 },
        }),
      )
      .resolves({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1' }, { SequenceNumber: '2' }] });

    const result = await producer().send([appEvent(1), appEvent(2)]);

    expect(result).toEqual({ sent: 2, failed: [] });
    expect(putInputs()).toHaveLength(2);
  });

  it('does not retry a request the service rejects as wrong, and reports all its records', async () => {
    kinesis.on(PutRecordsCommand).rejects(
      new ResourceNotFoundException({
        message: 'Stream c360-ingest not found',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    const result = await producer().send([appEvent(1), appEvent(2)]);

    expect(result.sent).toBe(0);
    expect(result.failed).toEqual([
      {
        messageId: 'm-1',
        errorCode: 'ResourceNotFoundException',
        errorMessage: 'Stream c360-ingest not found',
      },
      {
        messageId: 'm-2',
        errorCode: 'ResourceNotFoundException',
        errorMessage: 'Stream c360-ingest not found',
      },
    ]);
    expect(putInputs()).toHaveLength(1);
  });

  it('throws a validation error listing every bad envelope before sending anything', async () => {
    acceptAll();
    const bad = invalidChannelEnvelopes.find((f) => f.name === 'zero quantity');
    const noIdentity = { ...appEvent(3), identities: {} };

    const error = await producer()
      .send([appEvent(1), bad?.input as ChannelEnvelopeV1, appEvent(2), noIdentity])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ChannelEnvelopeValidationError);
    expect(error instanceof ChannelEnvelopeValidationError && error.invalid).toEqual([
      {
        index: 1,
        messageId: 'pos-sh-0042-20240102-000187',
        reasons: ['payload.items.0.quantity: expected a positive integer'],
      },
      {
        index: 3,
        messageId: 'm-3',
        reasons: [expect.stringContaining('identities: expected at least one identity')],
      },
    ]);
    expect(putInputs()).toHaveLength(0);
  });

  it('rejects a record over 1 MiB before sending anything', async () => {
    acceptAll();
    const huge: ChannelEnvelopeV1 = { ...appEvent(1), context: { blob: 'x'.repeat(1024 * 1024) } };

    await expect(producer().send([appEvent(0), huge])).rejects.toThrow(
      /#1 \(m-1\): \(root\): record is \d+ bytes/,
    );
    expect(putInputs()).toHaveLength(0);
  });
});
