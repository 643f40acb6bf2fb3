import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetConsistent } from './batch-get.ts';
import { batchWriteAll } from './batch-write.ts';
import { keys } from './table-keys.ts';

/** Longer than an entry can come again: the audit queue's retention plus its DLQ's, and a redrive. */
const PLACEMENT_TTL_SECONDS = 30 * 86_400;

/**
 * Where the audit writer put each entry: `AUDITENTRY#<entryId>` `PLACED` with the log object's key, written
 * before the object and expiring after a month. Lets a redelivered entry be found in the log.
 */
export const dynamoAuditPlacements = (
  db: DynamoDBDocumentClient,
  tableName: string,
  now: () => number = Date.now,
) => ({
  placed: async (entryIds: readonly string[]): Promise<ReadonlyMap<string, string>> => {
    const items = await batchGetConsistent(
      db,
      tableName,
      [...new Set(entryIds)].map((id) => keys.auditEntryPlaced(id)),
    );
    return new Map(
      items.flatMap((item) =>
        typeof item.entryId === 'string' && typeof item.objectKey === 'string'
          ? [[item.entryId, item.objectKey] as const]
          : [],
      ),
    );
  },

  place: async (objectKey: string, entryIds: readonly string[]): Promise<void> => {
    const expiresAt = Math.floor(now() / 1000) + PLACEMENT_TTL_SECONDS;
    const puts = [...new Set(entryIds)].map((entryId) => ({
      PutRequest: { Item: { ...keys.auditEntryPlaced(entryId), entryId, objectKey, expiresAt } },
    }));
    await batchWriteAll(db, tableName, puts);
  },
});
