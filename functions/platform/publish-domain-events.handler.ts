import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { eventBridgeClient } from '#shared/adapters/aws/aws-clients.ts';
import { readEnv } from '#shared/runtime/env.ts';

const env = readEnv({ EVENT_BUS_NAME: z.string().min(1), C360_EVENT_SOURCE: z.string().default('c360') });
const outboxItem = z.object({ detailType: z.string().min(1), detail: z.record(z.string(), z.unknown()) });

/**
 * Publishes the outbox: each domain event written to the table in the same transaction as the change it
 * reports goes to the bus, at least once. PutEvents takes 10 entries; an entry it refuses is retried by the
 * stream (reported failed), never dropped.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const failed: string[] = [];
  const records = event.Records.flatMap((r) => {
    const parsed = outboxItem.safeParse(
      r.dynamodb?.NewImage ? unmarshall(r.dynamodb.NewImage as Parameters<typeof unmarshall>[0]) : {},
    );
    return parsed.success ? [{ record: r, item: parsed.data }] : [];
  });
  for (let i = 0; i < records.length; i += 10) {
    const chunk = records.slice(i, i + 10);
    const seq = (r: DynamoDBRecord) => r.dynamodb?.SequenceNumber ?? '';
    try {
      const out = await eventBridgeClient().send(
        new PutEventsCommand({
          Entries: chunk.map(({ item }) => ({
            EventBusName: env.EVENT_BUS_NAME,
            Source: env.C360_EVENT_SOURCE,
            DetailType: item.detailType,
            Detail: JSON.stringify(item.detail),
          })),
        }),
      );
      out.Entries?.forEach((e, j) => {
        const r = chunk[j];
        if (e.ErrorCode && r) failed.push(seq(r.record));
      });
    } catch {
      failed.push(...chunk.map((c) => seq(c.record)));
    }
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
};
