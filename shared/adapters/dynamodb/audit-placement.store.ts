import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetConsistent } from './batch-get.ts';
import { keys } from './table-keys.ts';

export class AuditPlacementError extends Error {
  override readonly name = 'AuditPlacementError';
}

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
    for (let i = 0; i < puts.length; i += 25) {
      let request: Record<string, typeof puts> | undefined = { [tableName]: puts.slice(i, i + 25) };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt === 8) throw new AuditPlacementError('DynamoDB left placements unprocessed 8 times');
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const done = await db.send(new BatchWriteCommand({ RequestItems: request }));
        request = done.UnprocessedItems as typeof request;
      }
    }
  },
});
