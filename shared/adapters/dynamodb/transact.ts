import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './table-keys.ts';

/** One item of a DynamoDB transaction (document client shapes). */
export type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/**
 * Writes the items in one transaction; when it is cancelled, the indexes of the items whose condition
 * failed (to tell a guard that failed from an optimistic lock that moved). Other errors propagate.
 */
export const transactOrFailedConditions = async (
  db: DynamoDBDocumentClient,
  items: readonly TransactItem[],
): Promise<{ readonly ok: true } | { readonly ok: false; readonly failed: readonly number[] }> => {
  try {
    await db.send(new TransactWriteCommand({ TransactItems: [...items] }));
    return { ok: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const failed = (error.CancellationReasons ?? []).flatMap((r, i) =>
      r.Code === 'ConditionalCheckFailed' ? [i] : [],
    );
    return { ok: false, failed };
  }
};

/**
 * Writes the items in one transaction. False when a condition failed (someone else changed what was read:
 * read again and retry); other errors propagate.
 */
export const transactIfUnchanged = async (
  db: DynamoDBDocumentClient,
  items: readonly TransactItem[],
): Promise<boolean> => (await transactOrFailedConditions(db, items)).ok;

/** A check that the customer record is not an erasure's tombstone (absent is fine: not created yet). */
export const customerNotErased = (tableName: string, customerId: string): TransactItem => ({
  ConditionCheck: {
    TableName: tableName,
    Key: keys.customer(customerId),
    ConditionExpression: 'attribute_not_exists(pk) OR #s <> :erased',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':erased': 'erased' },
  },
});

/**
 * The update that moves an active customer record to its next version — the optimistic lock every change
 * to the identity graph takes — with extra `SET` / `ADD` clauses and their values.
 */
export const nextVersionOfActiveCustomer = (
  tableName: string,
  key: Record<string, string>,
  expectedVersion: number,
  extra: {
    readonly set?: string;
    readonly remove?: string;
    readonly add?: string;
    readonly values?: Record<string, unknown>;
  } = {},
): TransactItem => ({
  Update: {
    TableName: tableName,
    Key: key,
    UpdateExpression: [
      `SET version = version + :one${extra.set ? `, ${extra.set}` : ''}`,
      extra.remove ? `REMOVE ${extra.remove}` : '',
      extra.add ? `ADD ${extra.add}` : '',
    ]
      .filter(Boolean)
      .join(' '),
    ConditionExpression: 'version = :v AND #s = :active',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':one': 1, ':v': expectedVersion, ':active': 'active', ...extra.values },
  },
});

/** Domain events wait this long in the outbox for the publisher (a week covers any outage of it). */
const OUTBOX_TTL_SECONDS = 7 * 86_400;

/**
 * A domain event written to the transactional outbox in the same transaction as the change it reports; the
 * table stream hands it to the publisher. `id` makes a retried transaction write the same item.
 */
export const outboxItem = (
  tableName: string,
  id: string,
  detailType: string,
  detail: unknown,
  at: string,
): TransactItem => ({
  Put: {
    TableName: tableName,
    Item: {
      ...keys.outbox(id),
      detailType,
      detail,
      expiresAt: Math.floor(Date.parse(at) / 1000) + OUTBOX_TTL_SECONDS,
    },
  },
});
