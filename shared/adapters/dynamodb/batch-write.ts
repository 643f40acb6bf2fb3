import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type WriteRequest =
  | { readonly PutRequest: { readonly Item: Record<string, unknown> } }
  | { readonly DeleteRequest: { readonly Key: Record<string, string> } };

/** DynamoDB kept leaving items unprocessed (throttling): the caller's write did not complete. */
export class BatchWriteUnprocessedError extends Error {
  override readonly name = 'BatchWriteUnprocessedError';
}

const ATTEMPTS = 8;

/**
 * BatchWriteItem of any number of puts and deletes: chunks of 25, unprocessed items retried with backoff,
 * a `BatchWriteUnprocessedError` when some are still left after 8 attempts (nothing is dropped silently).
 */
export const batchWriteAll = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<void> => {
  for (let i = 0; i < requests.length; i += 25) {
    let pending: readonly WriteRequest[] | undefined = requests.slice(i, i + 25);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt === ATTEMPTS)
        throw new BatchWriteUnprocessedError(
          `DynamoDB left ${pending.length} items unprocessed ${ATTEMPTS} times`,
        );
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: [...pending] } }));
      pending = out.UnprocessedItems?.[tableName] as readonly WriteRequest[] | undefined;
    }
  }
};
