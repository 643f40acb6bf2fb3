import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { z } from 'zod';
import { documentClient, s3Client } from '#shared/adapters/aws/aws-clients.ts';
import { blindIndex } from '#shared/adapters/crypto/blind-index.adapter.ts';
import { sha256Hex } from '#shared/adapters/crypto/sha256.ts';
import { dynamoCleaningStore } from '#shared/adapters/dynamodb/cleaning.store.ts';
import { s3QuarantineStore } from '#shared/adapters/s3/quarantine.store.ts';
import { DEFAULT_CLEANING_CONFIG } from '#shared/domain/cleaning/envelope.cleaner.ts';
import { DEFAULT_INTERACTION_RULES } from '#shared/domain/cleaning/interaction-rule.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { tickBatcher } from '#shared/runtime/tick-batcher.ts';
import { cleanEvents } from '#shared/use-cases/ingest/clean-events.use-case.ts';

const env = readEnv({
  CUSTOMER_TABLE_NAME: z.string().min(1),
  QUARANTINE_BUCKET_NAME: z.string().min(1),
  CLEANING_DEFAULT_REGION: z.string().length(2).default(DEFAULT_CLEANING_CONFIG.defaultRegion),
  CLEANING_DEFAULT_UTC_OFFSET_MINUTES: z.coerce
    .number()
    .int()
    .default(DEFAULT_CLEANING_CONFIG.defaultTimeZoneOffsetMinutes),
  CLEANING_DEFAULT_CURRENCY: z.string().length(3).default(DEFAULT_CLEANING_CONFIG.defaultCurrency),
});
const config = {
  ...DEFAULT_CLEANING_CONFIG,
  defaultRegion: env.CLEANING_DEFAULT_REGION as typeof DEFAULT_CLEANING_CONFIG.defaultRegion,
  defaultTimeZoneOffsetMinutes: env.CLEANING_DEFAULT_UTC_OFFSET_MINUTES,
  defaultCurrency: env.CLEANING_DEFAULT_CURRENCY,
};
const logger = new Logger();
const metrics = new Metrics();
const processor = new BatchProcessor(EventType.KinesisDataStreams);
const quarantine = s3QuarantineStore(s3Client(), env.QUARANTINE_BUCKET_NAME);

export class RecordNotStoredError extends Error {
  override readonly name = 'RecordNotStoredError';
}

const cleanBatch = async (records: readonly KinesisStreamRecord[]) => {
  const shardId = records[0]?.eventID.split(':')[0] ?? 'shard';
  const report = await cleanEvents(
    records.map((r) => ({
      recordId: r.kinesis.sequenceNumber,
      data: Buffer.from(r.kinesis.data, 'base64').toString('utf8'),
      arrivedAt: new Date(r.kinesis.approximateArrivalTimestamp * 1000).toISOString(),
    })),
    config,
    DEFAULT_INTERACTION_RULES,
    {
      putQuarantine: quarantine.put,
      write: dynamoCleaningStore(documentClient(), env.CUSTOMER_TABLE_NAME, shardId).write,
      digest: sha256Hex,
      blindIndex: await blindIndex(),
    },
  );
  metrics.addMetric('EventsStored', MetricUnit.Count, report.stored);
  metrics.addMetric('EventsQuarantined', MetricUnit.Count, report.quarantined);
  metrics.addMetric('DuplicatesDropped', MetricUnit.Count, report.duplicates);
  if (report.failedRecordIds.length > 0)
    logger.warn('records not stored; the stream retries them', { count: report.failedRecordIds.length });
  const failed = new Set(report.failedRecordIds);
  return new Map(
    records.map(
      (r, i) =>
        [
          i,
          failed.has(r.kinesis.sequenceNumber) ? new RecordNotStoredError(r.kinesis.sequenceNumber) : true,
        ] as const,
    ),
  );
};

export const handler = async (
  event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse> => {
  // Powertools' processor runs the record handlers in parallel; the batcher gathers them into one use case.
  const submit = tickBatcher(cleanBatch);
  try {
    return await processPartialResponse(event, submit, processor, { context });
  } finally {
    metrics.publishStoredMetrics();
  }
};
