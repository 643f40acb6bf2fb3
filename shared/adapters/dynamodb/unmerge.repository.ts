import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  CUSTOMER_UNMERGED_DETAIL_TYPE,
  type CustomerUnmergedV1,
} from '../../../events/identity/customer-unmerged.v1.ts';
import type { UnmergePorts } from '../../use-cases/identity/unmerge-customer.use-case.ts';
import { batchGetConsistent } from './batch-get.ts';
import { customerSubtree } from './identity-graph.repository.ts';
import { keys } from './table-keys.ts';
import { nextVersionOfActiveCustomer, outboxItem, transactIfUnchanged } from './transact.ts';

// DynamoDB transactions hold at most 100 items; 6 are the customers, the records and the outbox.
const MAX_REPOINTS = 94;

export class UnmergeTooLargeError extends Error {
  override readonly name = 'UnmergeTooLargeError';
}

/** The identity graph's side of an unmerge, in the single table (see dynamoIdentityGraph for the layout). */
export const dynamoUnmerge = (
  db: DynamoDBDocumentClient,
  tableName: string,
  now: () => string,
): UnmergePorts => ({
  customer: async (customerId) => {
    const got = await db.send(
      new GetCommand({ TableName: tableName, Key: keys.customer(customerId), ConsistentRead: true }),
    );
    const c = got.Item;
    if (!c) return undefined;
    return {
      customerId,
      status: String(c.status),
      version: Number(c.version),
      ...(typeof c.mergedInto === 'string' ? { mergedInto: c.mergedInto } : {}),
    };
  },

  subtree: async (customerId) => {
    const { customerIds, links } = await customerSubtree(db, tableName, customerId);
    return {
      customerIds,
      links: links.map((l) => ({
        customerId: String(l.customerId),
        type: String(l.type),
        hash: String(l.sk).split('#').slice(2).join('#'),
        at: String(l.at),
        eventId: String(l.eventId),
      })),
    };
  },

  storedOwners: async (ids) => {
    const items = await batchGetConsistent(
      db,
      tableName,
      ids.map((k) => keys.identifier(k.type, k.hash)),
    );
    return new Map(items.map((i) => [String(i.pk).slice('ID#'.length), String(i.customerId)]));
  },

  commit: async (c) => {
    if (c.repoint.length > MAX_REPOINTS)
      throw new UnmergeTooLargeError(
        `${c.repoint.length} identifiers to move; at most ${MAX_REPOINTS} in one unmerge`,
      );
    const at = now();
    const survivorId = c.survivor.customerId;
    const restoredId = c.restored.customerId;
    const detail: CustomerUnmergedV1 = {
      specVersion: '1',
      survivorCustomerId: survivorId,
      restoredCustomerId: restoredId,
      returnedIdentifierTypes: [...c.returnedTypes],
      actor: c.actor,
      reason: c.reason,
      unmergedAt: at,
    };
    return transactIfUnchanged(db, [
      {
        Update: {
          TableName: tableName,
          Key: keys.customer(restoredId),
          UpdateExpression:
            'SET version = version + :one, #s = :active, gsi1pk = :all, gsi1sk = :id REMOVE mergedInto, mergedAt ADD keptApart :other',
          ConditionExpression: 'version = :v AND #s = :merged AND mergedInto = :survivor',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':v': c.restored.version,
            ':active': 'active',
            ':merged': 'merged',
            ':survivor': survivorId,
            ':all': 'CUSTOMERS',
            ':id': restoredId,
            ':other': new Set([survivorId]),
          },
        },
      },
      nextVersionOfActiveCustomer(tableName, keys.customer(survivorId), c.survivor.version, {
        add: 'keptApart :other',
        values: { ':other': new Set([restoredId]) },
      }),
      { Delete: { TableName: tableName, Key: keys.customerMerge(survivorId, restoredId) } },
      {
        Put: {
          TableName: tableName,
          Item: {
            ...keys.customerUnmerge(survivorId, restoredId, at),
            restoredCustomerId: restoredId,
            actor: c.actor,
            reason: c.reason,
            returnedIdentifierTypes: [...c.returnedTypes],
            at,
          },
        },
      },
      ...c.repoint.map((r) => ({
        Update: {
          TableName: tableName,
          Key: keys.identifier(r.type, r.hash),
          UpdateExpression: 'SET customerId = :to, linkedAt = :at',
          ConditionExpression: 'customerId = :from',
          ExpressionAttributeValues: { ':to': r.to, ':from': r.from, ':at': at },
        },
      })),
      outboxItem(
        tableName,
        `unmerge:${survivorId}:${restoredId}:${at}`,
        CUSTOMER_UNMERGED_DETAIL_TYPE,
        detail,
        at,
      ),
    ]);
  },
});
