import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The item holding a customer's wrapped key, next to their profile. (To move into `table-keys.ts` as
 * `keys.customerKey`; kept here until that file is free to edit.)
 */
export const customerKeyItemKey = (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'KEY' });

/** A customer's data key as stored: only ever wrapped (an Encryption SDK message under the wrapping key). */
export type WrappedCustomerKey = {
  /** Random id of this key; changes when the customer was forgotten and a new key was created. */
  readonly keyId: string;
  readonly wrapped: Uint8Array;
};

export type CustomerKeyStore = {
  /** The stored key (strongly consistent), if any. */
  readonly get: (customerId: string) => Promise<WrappedCustomerKey | undefined>;
  /** Stores the key unless the customer already has one; `false` when another writer got there first. */
  readonly putIfAbsent: (customerId: string, key: WrappedCustomerKey) => Promise<boolean>;
  /** Deletes the key; idempotent. */
  readonly delete: (customerId: string) => Promise<void>;
};

/**
 * Customer keys in the single table at `CUSTOMER#<id>` / `KEY`: `keyId`, `wrappedKey` (binary), `wrapping`
 * (which keyring wrapped it, for operators) and `createdAt`. No GSI attributes: the item is never listed.
 */
export const dynamoCustomerKeyStore = (
  db: DynamoDBDocumentClient,
  tableName: string,
  opts: { readonly wrapping: string; readonly now?: () => string },
): CustomerKeyStore => {
  const now = opts.now ?? (() => new Date().toISOString());
  return {
    get: async (customerId) => {
      const { Item } = await db.send(
        new GetCommand({ TableName: tableName, Key: customerKeyItemKey(customerId), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const { keyId, wrappedKey } = Item;
      if (typeof keyId !== 'string' || !(wrappedKey instanceof Uint8Array))
        throw new CustomerKeyItemInvalidError(`Key item of customer ${customerId} is not a wrapped key`);
      return { keyId, wrapped: wrappedKey };
    },
    putIfAbsent: async (customerId, key) => {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...customerKeyItemKey(customerId),
              keyId: key.keyId,
              wrappedKey: key.wrapped,
              wrapping: opts.wrapping,
              createdAt: now(),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    delete: async (customerId) => {
      await db.send(new DeleteCommand({ TableName: tableName, Key: customerKeyItemKey(customerId) }));
    },
  };
};

export class CustomerKeyItemInvalidError extends Error {
  override readonly name = 'CustomerKeyItemInvalidError';
}
