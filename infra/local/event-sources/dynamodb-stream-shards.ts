import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { ShardRecord, ShardSource } from './stream-event-source.ts';

/** DynamoDB Streams shards of DynamoDB Local; records in Lambda's DynamoDB event shape. */
export const dynamoDbStreamShards = (o: {
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly region: string;
}): ShardSource => ({
  describe: o.streamArn.split('/').slice(1, 2).join('/'),
  batchInfoKey: 'DDBStreamBatchInfo',
  listShards: async () => {
    const ids: string[] = [];
    let from: string | undefined;
    do {
      const d = await o.streams.send(
        new DescribeStreamCommand({ StreamArn: o.streamArn, ExclusiveStartShardId: from }),
      );
      for (const s of d.StreamDescription?.Shards ?? []) if (s.ShardId) ids.push(s.ShardId);
      from = d.StreamDescription?.LastEvaluatedShardId;
    } while (from);
    return ids;
  },
  iterator: async (shardId, position) =>
    (
      await o.streams.send(
        new GetShardIteratorCommand({
          StreamArn: o.streamArn,
          ShardId: shardId,
          ShardIteratorType: position,
        }),
      )
    ).ShardIterator,
  read: async (iterator, limit) => {
    const got = await o.streams.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(1000, limit) }),
    );
    const records = (got.Records ?? []).map((r): ShardRecord => {
      const created = r.dynamodb?.ApproximateCreationDateTime ?? new Date();
      const lambdaRecord = {
        eventID: r.eventID,
        eventName: r.eventName,
        eventVersion: r.eventVersion ?? '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: o.region,
        dynamodb: {
          ...r.dynamodb,
          // Lambda carries the creation time as epoch seconds.
          ApproximateCreationDateTime: Math.floor(created.getTime() / 1000),
        },
        eventSourceARN: o.streamArn,
      } as DynamoDBRecord;
      return {
        sequenceNumber: r.dynamodb?.SequenceNumber ?? '',
        arrival: created,
        lambdaRecord,
        filterView: lambdaRecord,
      };
    });
    return { records, next: got.NextShardIterator };
  },
  toEvent: (records): DynamoDBStreamEvent => ({ Records: records as DynamoDBRecord[] }),
});
