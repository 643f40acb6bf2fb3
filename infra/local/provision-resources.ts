import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  IncreaseStreamRetentionPeriodCommand,
  ResourceInUseException as StreamInUseException,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { BucketAlreadyExists, BucketAlreadyOwnedByYou, CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { QueueDefinition, ResourceDefinitions } from '../definitions/resource.types.ts';
import type { LocalClients } from './local-clients.ts';
import { localBucketName, localName } from './local-names.ts';

const DAY_SECONDS = 86_400;

/**
 * Creates every resource of the definitions on the stand-ins, exactly as the CDK stacks declare them.
 * Idempotent, so a `--persist` directory from an earlier run is reused. Returns the queue URLs by id.
 */
export const provisionLocalResources = async (
  defs: ResourceDefinitions,
  clients: LocalClients,
  stage: string,
): Promise<Map<string, string>> => {
  const [queueUrls] = await Promise.all([
    createQueues(defs.queues, clients, stage),
    createTable(defs, clients, stage),
    ...defs.streams.map(async (s) => {
      const StreamName = localName(stage, s.id);
      try {
        await clients.kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: s.localShardCount }));
      } catch (error) {
        if (!(error instanceof StreamInUseException)) throw error;
      }
      await waitUntilStreamExists({ client: clients.kinesis, maxWaitTime: 30, minDelay: 1 }, { StreamName });
      if (s.retentionHours > 24)
        await clients.kinesis.send(
          new IncreaseStreamRetentionPeriodCommand({ StreamName, RetentionPeriodHours: s.retentionHours }),
        );
    }),
    ...defs.buckets.map(async (b) => {
      try {
        await clients.s3.send(new CreateBucketCommand({ Bucket: localBucketName(stage, b.id) }));
      } catch (error) {
        // s3rver answers BucketAlreadyExists where S3 says BucketAlreadyOwnedByYou.
        if (!(error instanceof BucketAlreadyOwnedByYou || error instanceof BucketAlreadyExists)) throw error;
      }
    }),
  ]);
  return queueUrls;
};

const createTable = async (
  defs: ResourceDefinitions,
  clients: LocalClients,
  stage: string,
): Promise<void> => {
  const t = defs.table;
  const TableName = localName(stage, t.id);
  const attributes = new Map<string, string>();
  for (const k of [
    t.partitionKey,
    t.sortKey,
    ...t.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
  ])
    attributes.set(k.name, k.type);
  try {
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
          AttributeName,
          AttributeType: AttributeType as 'S' | 'N' | 'B',
        })),
        KeySchema: [
          { AttributeName: t.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: t.sortKey.name, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: t.globalSecondaryIndexes.map((g) => ({
          IndexName: g.indexName,
          KeySchema: [
            { AttributeName: g.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: g.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: g.projection },
        })),
        StreamSpecification: { StreamEnabled: true, StreamViewType: t.streamView },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client: clients.dynamodb, maxWaitTime: 30, minDelay: 1 }, { TableName });
  const described = await clients.dynamodb.send(new DescribeTableCommand({ TableName }));
  if (described.Table?.TableStatus === 'ACTIVE')
    await clients.dynamodb
      .send(
        new UpdateTimeToLiveCommand({
          TableName,
          TimeToLiveSpecification: { AttributeName: t.timeToLiveAttribute, Enabled: true },
        }),
      )
      .catch((error: Error) => {
        // Re-enabling TTL on a persisted table is refused; that is the state we want anyway.
        if (!/already enabled/i.test(error.message)) throw error;
      });
};

/** Dead-letter queues first, so a queue's redrive policy can name its DLQ's ARN. */
const createQueues = async (
  queues: readonly QueueDefinition[],
  clients: LocalClients,
  stage: string,
): Promise<Map<string, string>> => {
  const urls = new Map<string, string>();
  const arns = new Map<string, string>();
  const ordered = [...queues].sort((a, b) => Number(Boolean(a.deadLetter)) - Number(Boolean(b.deadLetter)));
  for (const q of ordered) {
    const dlqArn = q.deadLetter ? arns.get(q.deadLetter.queueId) : undefined;
    const created = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: localName(stage, q.id),
        Attributes: {
          VisibilityTimeout: String(q.visibilityTimeoutSeconds),
          MessageRetentionPeriod: String(q.retentionDays * DAY_SECONDS),
          ...(q.deadLetter && dlqArn
            ? {
                RedrivePolicy: JSON.stringify({
                  deadLetterTargetArn: dlqArn,
                  maxReceiveCount: q.deadLetter.maxReceiveCount,
                }),
              }
            : {}),
        },
      }),
    );
    const url = created.QueueUrl;
    if (!url) throw new Error(`CreateQueue ${q.id} returned no URL`);
    const attrs = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    urls.set(q.id, url);
    arns.set(q.id, attrs.Attributes?.QueueArn ?? '');
  }
  return urls;
};
