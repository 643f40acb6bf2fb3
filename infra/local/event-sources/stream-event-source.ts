import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { StreamSourceSettings } from '../../definitions/resource.types.ts';
import { compileEventPattern, type EventPatternPredicate } from '../bus/event-pattern.matcher.ts';
import type { LocalFunction } from '../lambda/local-function.ts';
import { type DiscardCondition, streamInvocationRecord } from './invocation-record.ts';

/** The settings a stream event-source mapping (Kinesis or DynamoDB Streams) runs with. */
export type StreamMappingSettings = Omit<StreamSourceSettings, 'onFailureQueueId' | 'parallelizationFactor'>;

/** One record read from a shard, already in the shape Lambda hands to the function. */
export type ShardRecord = {
  readonly sequenceNumber: string;
  readonly arrival: Date;
  readonly lambdaRecord: unknown;
  /** What filter patterns are matched against (Kinesis: the record with `data` parsed as JSON). */
  readonly filterView: unknown;
};

/** Reads one kind of stream (Kinesis, DynamoDB Streams) shard by shard. */
export type ShardSource = {
  readonly describe: string;
  readonly batchInfoKey: 'KinesisBatchInfo' | 'DDBStreamBatchInfo';
  readonly listShards: () => Promise<readonly string[]>;
  readonly iterator: (shardId: string, position: 'TRIM_HORIZON' | 'LATEST') => Promise<string | undefined>;
  readonly read: (
    iterator: string,
    limit: number,
    shardId: string,
  ) => Promise<{ readonly records: readonly ShardRecord[]; readonly next: string | undefined }>;
  readonly toEvent: (records: readonly unknown[]) => unknown;
};

export type StreamEventSourceOptions = {
  readonly settings: StreamMappingSettings;
  readonly shards: ShardSource;
  readonly fn: LocalFunction;
  readonly functionArn: string;
  readonly streamArn: string;
  readonly onFailureQueueUrl: string;
  readonly sqs: SQSClient;
  /** How often an idle shard is polled. @default 200 */
  readonly pollIntervalMs?: number;
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
};

export type StreamEventSourceStats = {
  invocations: number;
  recordsSucceeded: number;
  recordsFiltered: number;
  recordsDiscarded: number;
  lastError?: string;
};

type Pending = { readonly record: ShardRecord; readonly shardId: string };

/**
 * A stream event-source mapping with Lambda's semantics: per shard, one batch at a time in order; batches
 * of up to `batchSize` gathered for up to the batching window; records no filter matches are skipped; on a
 * function error, bisect (when enabled, without spending a retry) and retry up to `maximumRetryAttempts`;
 * with `ReportBatchItemFailures`, checkpoint before the lowest failed sequence number and retry from there;
 * once retries are exhausted or the record is too old, send the batch's description to the on-failure
 * queue and move on.
 */
export class StreamEventSourceRunner {
  readonly stats: StreamEventSourceStats = {
    invocations: 0,
    recordsSucceeded: 0,
    recordsFiltered: 0,
    recordsDiscarded: 0,
  };
  private running = false;
  private readonly loops = new Map<string, Promise<void>>();
  private discovery: Promise<void> | undefined;
  private readonly now: () => Date;
  private readonly filters: readonly EventPatternPredicate[];

  constructor(private readonly o: StreamEventSourceOptions) {
    this.now = o.now ?? (() => new Date());
    this.filters = (o.settings.filters ?? []).map((p) => compileEventPattern(p));
  }

  /** The mapping's settings and target (for inspection and the local-versus-template test). */
  get mapping(): { readonly settings: StreamMappingSettings; readonly functionName: string } {
    return { settings: this.o.settings, functionName: this.o.fn.name };
  }

  async start(): Promise<void> {
    this.running = true;
    await this.discoverShards(this.o.settings.startingPosition);
    // Shards close and new ones open (DynamoDB Streams rolls them over); keep looking for new ones.
    this.discovery = (async () => {
      while (this.running) {
        await sleep(2000);
        if (this.running)
          await this.discoverShards('TRIM_HORIZON').catch((e: unknown) => this.o.log?.(String(e)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([...this.loops.values(), this.discovery]);
  }

  private async discoverShards(position: 'TRIM_HORIZON' | 'LATEST'): Promise<void> {
    for (const shardId of await this.o.shards.listShards()) {
      if (this.loops.has(shardId)) continue;
      const iterator = await this.o.shards.iterator(shardId, position);
      this.loops.set(shardId, this.pollShard(shardId, iterator));
    }
  }

  private async pollShard(shardId: string, firstIterator: string | undefined): Promise<void> {
    const { batchSize, maxBatchingWindowSeconds } = this.o.settings;
    const idle = this.o.pollIntervalMs ?? 200;
    let iterator = firstIterator;
    let buffer: Pending[] = [];
    let windowStart = 0;
    while (this.running && iterator) {
      try {
        const got = await this.o.shards.read(iterator, Math.min(10_000, batchSize), shardId);
        iterator = got.next;
        for (const record of got.records) {
          if (this.filters.length > 0 && !this.filters.some((f) => f(record.filterView)))
            this.stats.recordsFiltered += 1;
          else buffer.push({ record, shardId });
        }
        if (buffer.length > 0 && windowStart === 0) windowStart = Date.now();
        const windowOver = Date.now() - windowStart >= maxBatchingWindowSeconds * 1000 || !iterator;
        while (buffer.length >= batchSize || (buffer.length > 0 && windowOver)) {
          const batch = buffer.slice(0, batchSize);
          buffer = buffer.slice(batchSize);
          await this.processBatch(batch);
          windowStart = buffer.length > 0 ? Date.now() : 0;
          if (!this.running) return;
        }
        if (got.records.length === 0) await sleep(idle);
      } catch (error) {
        this.stats.lastError = String(error);
        this.o.log?.(`${this.o.fn.name} ← ${this.o.shards.describe}/${shardId}: ${String(error)}`);
        await sleep(1000);
      }
    }
  }

  /** Processes one batch to completion: success, or retries then discard. */
  private async processBatch(batch: readonly Pending[]): Promise<void> {
    const s = this.o.settings;
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
        const response = await this.o.fn.invoke(
          this.o.shards.toEvent(item.records.map((p) => p.record.lambdaRecord)),
        );
        failedFrom = s.reportBatchItemFailures ? this.firstFailure(item.records, response) : undefined;
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
      if (error && s.bisectBatchOnError && remaining.length > 1) {
        const half = Math.ceil(remaining.length / 2);
        work.unshift(
          { records: remaining.slice(0, half), retries: item.retries, attempts: 0 },
          { records: remaining.slice(half), retries: item.retries, attempts: 0 },
        );
        continue;
      }
      if (s.maximumRetryAttempts >= 0 && item.retries >= s.maximumRetryAttempts) {
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
        typeof id === 'string' && id ? records.findIndex((r) => r.record.sequenceNumber === id) : -1;
      if (index < 0) return 0;
      lowest = Math.min(lowest, index);
    }
    return lowest;
  }

  private tooOld(p: Pending): boolean {
    const maxAge = this.o.settings.maximumRecordAgeSeconds;
    return maxAge >= 0 && this.now().getTime() - p.record.arrival.getTime() > maxAge * 1000;
  }

  private async discard(
    records: readonly Pending[],
    condition: DiscardCondition,
    attempts: number,
    error: Error | undefined,
  ): Promise<void> {
    const first = records[0];
    const last = records[records.length - 1];
    if (!first || !last) return;
    const body = streamInvocationRecord({
      batchInfoKey: this.o.shards.batchInfoKey,
      functionArn: this.o.functionArn,
      condition,
      attempts,
      error,
      shardId: first.shardId,
      streamArn: this.o.streamArn,
      first: { sequenceNumber: first.record.sequenceNumber, arrival: first.record.arrival },
      last: { sequenceNumber: last.record.sequenceNumber, arrival: last.record.arrival },
      batchSize: records.length,
      now: this.now(),
    });
    // The destination must have the record before the checkpoint moves past it, or the batch is lost.
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
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
