import {
  type _Record,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { KinesisEventSource } from '../../definitions/resource.types.ts';
import type { LocalFunction } from '../lambda/local-function.ts';
import { streamInvocationRecord } from './invocation-record.ts';

export type KinesisEventSourceOptions = {
  readonly source: KinesisEventSource;
  readonly fn: LocalFunction;
  readonly functionArn: string;
  readonly streamName: string;
  readonly streamArn: string;
  readonly onFailureQueueUrl: string;
  readonly kinesis: KinesisClient;
  readonly sqs: SQSClient;
  readonly region: string;
  /** How often an idle shard is polled; Lambda polls each shard about once a second. @default 250 */
  readonly pollIntervalMs?: number;
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
};

type Pending = { readonly record: _Record; readonly shardId: string };

export type KinesisEventSourceStats = {
  invocations: number;
  recordsSucceeded: number;
  recordsDiscarded: number;
  lastError?: string;
};

/**
 * A Kinesis event-source mapping with Lambda's semantics: per shard, one batch at a time in order; batches
 * of up to `batchSize` gathered for up to the batching window; on a function error, bisect (when enabled,
 * without spending a retry) and retry up to `maximumRetryAttempts`; with `ReportBatchItemFailures`,
 * checkpoint before the lowest failed sequence number and retry from there; once retries are exhausted or
 * the record is too old, send the batch's description to the on-failure queue and move on.
 */
export class KinesisEventSourceRunner {
  readonly stats: KinesisEventSourceStats = { invocations: 0, recordsSucceeded: 0, recordsDiscarded: 0 };
  private running = false;
  private readonly loops: Promise<void>[] = [];
  private readonly now: () => Date;

  constructor(private readonly o: KinesisEventSourceOptions) {
    this.now = o.now ?? (() => new Date());
  }

  async start(): Promise<void> {
    this.running = true;
    const shards = await this.o.kinesis.send(new ListShardsCommand({ StreamName: this.o.streamName }));
    for (const shard of shards.Shards ?? []) {
      if (!shard.ShardId) continue;
      const iterator = await this.o.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: this.o.streamName,
          ShardId: shard.ShardId,
          ShardIteratorType: this.o.source.startingPosition,
        }),
      );
      this.loops.push(this.pollShard(shard.ShardId, iterator.ShardIterator));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async pollShard(shardId: string, firstIterator: string | undefined): Promise<void> {
    const { batchSize, maxBatchingWindowSeconds } = this.o.source;
    const idle = this.o.pollIntervalMs ?? 250;
    let iterator = firstIterator;
    let buffer: Pending[] = [];
    let windowStart = 0;
    while (this.running && iterator) {
      try {
        const got = await this.o.kinesis.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(10_000, batchSize) }),
        );
        iterator = got.NextShardIterator;
        for (const record of got.Records ?? []) buffer.push({ record, shardId });
        if (buffer.length > 0 && windowStart === 0) windowStart = Date.now();
        const windowOver = Date.now() - windowStart >= maxBatchingWindowSeconds * 1000;
        while (buffer.length >= batchSize || (buffer.length > 0 && windowOver)) {
          const batch = buffer.slice(0, batchSize);
          buffer = buffer.slice(batchSize);
          await this.processBatch(batch);
          windowStart = buffer.length > 0 ? Date.now() : 0;
          if (!this.running) return;
        }
        if ((got.Records ?? []).length === 0) await sleep(idle);
      } catch (error) {
        this.stats.lastError = String(error);
        this.o.log?.(`${this.o.fn.name} ← ${this.o.streamName}/${shardId}: ${String(error)}`);
        await sleep(1000);
      }
    }
  }

  /** Processes one batch to completion: success, or retries then discard. Never returns early. */
  private async processBatch(batch: readonly Pending[]): Promise<void> {
    const src = this.o.source;
    // Work items: a contiguous slice of the batch and the retries it has spent.
    const work: { records: readonly Pending[]; retries: number; attempts: number }[] = [
      { records: batch, retries: 0, attempts: 0 },
    ];
    while (work.length > 0) {
      const item = work.shift();
      if (!item || item.records.length === 0) continue;
      const first = item.records[0];
      if (first && this.tooOld(first)) {
        await this.discard(item.records, 'RecordAgeExceeded', item.attempts, undefined);
        continue;
      }
      item.attempts += 1;
      this.stats.invocations += 1;
      let failedFrom: number | undefined;
      let error: Error | undefined;
      try {
        const response = await this.o.fn.invoke(this.toEvent(item.records));
        failedFrom = src.reportBatchItemFailures ? this.firstFailure(item.records, response) : undefined;
      } catch (e) {
        error = e instanceof Error ? e : new Error(String(e));
      }
      if (!error && failedFrom === undefined) {
        this.stats.recordsSucceeded += item.records.length;
        continue;
      }
      // Everything before the first failed record is checkpointed.
      const from = error ? 0 : (failedFrom ?? 0);
      this.stats.recordsSucceeded += from;
      const remaining = item.records.slice(from);
      if (error && src.bisectBatchOnError && remaining.length > 1) {
        const half = Math.ceil(remaining.length / 2);
        work.unshift(
          { records: remaining.slice(0, half), retries: item.retries, attempts: 0 },
          { records: remaining.slice(half), retries: item.retries, attempts: 0 },
        );
        continue;
      }
      const exhausted = src.maximumRetryAttempts >= 0 && item.retries >= src.maximumRetryAttempts;
      if (exhausted) {
        await this.discard(remaining, 'RetryAttemptsExhausted', item.attempts, error);
        continue;
      }
      work.unshift({ records: remaining, retries: item.retries + 1, attempts: item.attempts });
      await sleep(Math.min(1000, 50 * 2 ** item.retries));
    }
  }

  /**
   * Index of the lowest failed record, or undefined when all succeeded. As in Lambda, an identifier that is
   * missing, empty or not in the batch fails the whole batch.
   */
  private firstFailure(records: readonly Pending[], response: unknown): number | undefined {
    if (!response || typeof response !== 'object' || !('batchItemFailures' in response)) return undefined;
    const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
    if (!Array.isArray(failures) || failures.length === 0) return undefined;
    let lowest = Number.POSITIVE_INFINITY;
    for (const f of failures) {
      const id = f && typeof f === 'object' ? (f as { itemIdentifier?: unknown }).itemIdentifier : undefined;
      const index =
        typeof id === 'string' && id ? records.findIndex((r) => r.record.SequenceNumber === id) : -1;
      if (index < 0) return 0;
      lowest = Math.min(lowest, index);
    }
    return lowest;
  }

  private tooOld(p: Pending): boolean {
    const maxAge = this.o.source.maximumRecordAgeSeconds;
    const arrival = p.record.ApproximateArrivalTimestamp;
    return maxAge >= 0 && arrival !== undefined && this.now().getTime() - arrival.getTime() > maxAge * 1000;
  }

  private async discard(
    records: readonly Pending[],
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
    attempts: number,
    error: Error | undefined,
  ): Promise<void> {
    const first = records[0];
    const last = records[records.length - 1];
    if (!first || !last) return;
    const body = streamInvocationRecord({
      functionArn: this.o.functionArn,
      condition,
      attempts,
      error,
      shardId: first.shardId,
      streamArn: this.o.streamArn,
      first: {
        sequenceNumber: first.record.SequenceNumber ?? '',
        arrival: first.record.ApproximateArrivalTimestamp ?? this.now(),
      },
      last: {
        sequenceNumber: last.record.SequenceNumber ?? '',
        arrival: last.record.ApproximateArrivalTimestamp ?? this.now(),
      },
      batchSize: records.length,
      now: this.now(),
    });
    // The destination must get the record before the checkpoint moves past it, or the batch is lost.
    for (;;) {
      try {
        await this.o.sqs.send(
          new SendMessageCommand({ QueueUrl: this.o.onFailureQueueUrl, MessageBody: JSON.stringify(body) }),
        );
        break;
      } catch (e) {
        this.o.log?.(`on-failure destination unavailable, retrying: ${String(e)}`);
        await sleep(1000);
      }
    }
    this.stats.recordsDiscarded += records.length;
    this.o.log?.(
      `${this.o.fn.name}: discarded ${records.length} record(s) from ${first.shardId} (${condition}${error ? `: ${error.message}` : ''})`,
    );
  }

  private toEvent(records: readonly Pending[]): KinesisStreamEvent {
    return {
      Records: records.map(
        ({ record, shardId }): KinesisStreamRecord => ({
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: record.PartitionKey ?? '',
            sequenceNumber: record.SequenceNumber ?? '',
            data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
            approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: `${shardId}:${record.SequenceNumber ?? ''}`,
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: `${this.o.functionArn.replace(':function:', ':role/')}-role`,
          awsRegion: this.o.region,
          eventSourceARN: this.o.streamArn,
        }),
      ),
    };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
