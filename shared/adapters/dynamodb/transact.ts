import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

/** One item of a DynamoDB transaction (document client shapes). */
export type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/**
 * Writes the items in one transaction. False when a condition failed (someone else changed what was read:
 * read again and retry); other errors propagate.
 */
export const transactIfUnchanged = async (
  db: DynamoDBDocumentClient,
  items: readonly TransactItem[],
): Promise<boolean> => {
  try {
    await db.send(new TransactWriteCommand({ TransactItems: [...items] }));
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
};
