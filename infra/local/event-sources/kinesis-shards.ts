import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { ShardRecord, ShardSource } from './stream-event-source.ts';

/** Kinesis shards, read with the SDK against kinesalite; records in Lambda's Kinesis event shape. */
export const kinesisShards = (o: {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly streamArn: string;
  readonly functionArn: string;
  readonly region: string;
}): ShardSource => ({
  describe: o.streamName,
  batchInfoKey: 'KinesisBatchInfo',
  listShards: async () =>
    ((await o.kinesis.send(new ListShardsCommand({ StreamName: o.streamName }))).Shards ?? []).flatMap((s) =>
      s.ShardId ? [s.ShardId] : [],
    ),
  iterator: async (shardId, position) =>
    (
      await o.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: o.streamName,
          ShardId: shardId,
          ShardIteratorType: position,
        }),
      )
    ).ShardIterator,
  read: async (iterator, limit, shardId) => {
    const got = await o.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
    const records = (got.Records ?? []).map((r): ShardRecord => {
      const data = Buffer.from(r.Data ?? new Uint8Array());
      const lambdaRecord: KinesisStreamRecord = {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: r.PartitionKey ?? '',
          sequenceNumber: r.SequenceNumber ?? '',
          data: data.toString('base64'),
          approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shardId}:${r.SequenceNumber ?? ''}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: o.functionArn.replace(':lambda:', ':iam:').replace(/:function:.*/, ':role/local'),
        awsRegion: o.region,
        eventSourceARN: o.streamArn,
      };
      return {
        sequenceNumber: r.SequenceNumber ?? '',
        arrival: r.ApproximateArrivalTimestamp ?? new Date(),
        lambdaRecord,
        // Lambda filters Kinesis records on their data parsed as JSON (left as a string when it is not JSON).
        filterView: { ...lambdaRecord.kinesis, data: parseOrKeep(data.toString('utf8')) },
      };
    });
    return { records, next: got.NextShardIterator };
  },
  toEvent: (records): KinesisStreamEvent => ({ Records: records as KinesisStreamRecord[] }),
});

const parseOrKeep = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
};
