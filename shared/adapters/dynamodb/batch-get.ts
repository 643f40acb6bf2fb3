import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Strongly consistent BatchGetItem of any number of keys: chunks of 100, unprocessed keys retried. */
export const batchGetConsistent = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  itemKeys: readonly Record<string, string>[],
): Promise<Record<string, unknown>[]> => {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < itemKeys.length; i += 100) {
    let request: Record<string, { Keys: Record<string, string>[]; ConsistentRead: boolean }> | undefined = {
      [tableName]: { Keys: itemKeys.slice(i, i + 100), ConsistentRead: true },
    };
    while (request && Object.keys(request).length > 0) {
      const got = await db.send(new BatchGetCommand({ RequestItems: request }));
      out.push(...(got.Responses?.[tableName] ?? []));
      request = got.UnprocessedKeys as typeof request;
    }
  }
  return out;
};
