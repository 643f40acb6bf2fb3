import { type DynamoDBDocumentClient, GetCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  CUSTOMER_ERASED_DETAIL_TYPE,
  type CustomerErasedV1,
} from '../../../events/privacy/customer-erased.v1.ts';
import {
  SUBJECT_REQUEST_FILED_DETAIL_TYPE,
  type SubjectRequestFiledV1,
} from '../../../events/privacy/subject-request-filed.v1.ts';
import type { SubjectRequest } from '../../domain/privacy/subject-request.ts';
import type { SubjectRequestPorts } from '../../use-cases/privacy/subject-request.use-case.ts';
import { keys } from './table-keys.ts';
import { outboxItem, transactIfUnchanged } from './transact.ts';

/*
 * Data-subject requests in the single table: `DSR#<requestId>` `DSR`, the request as filed with its status,
 * the customers it covers, counts (atomic `ADD`s, so concurrent or retried steps never lose one), the
 * export bundle's key and the receipt. Filing and completing each put their event in the outbox in the same
 * transaction. Kept after an erasure: it holds pseudonymous ids only, and is the proof the erasure was done.
 */

const COUNTS = 'counts';

const fromItem = (item: Record<string, unknown>): SubjectRequest => {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, [COUNTS]: counts, ...rest } = item;
  return {
    ...(rest as Omit<SubjectRequest, 'counts'>),
    ...(counts && typeof counts === 'object' ? { counts: counts as Record<string, number> } : {}),
  };
};

export const dynamoSubjectRequests = (
  db: DynamoDBDocumentClient,
  tableName: string,
): SubjectRequestPorts & {
  /** The export bundles written for any of these customers (bucket keys). */
  readonly bundleKeysFor: (customerIds: readonly string[]) => Promise<string[]>;
} => {
  const key = keys.subjectRequest;
  return {
    bundleKeysFor: async (customerIds) => {
      const found: string[] = [];
      for (const customerId of customerIds)
        for await (const page of paginateQuery(
          { client: db },
          {
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p',
            ExpressionAttributeValues: { ':p': `DSR#CUSTOMER#${customerId}` },
          },
        ))
          for (const item of page.Items ?? [])
            if (typeof item.bundleKey === 'string') found.push(item.bundleKey);
      return found;
    },

    request: async (requestId) => {
      const got = await db.send(
        new GetCommand({ TableName: tableName, Key: key(requestId), ConsistentRead: true }),
      );
      return got.Item ? fromItem(got.Item) : undefined;
    },

    file: (request, event: SubjectRequestFiledV1) =>
      transactIfUnchanged(db, [
        {
          Put: {
            TableName: tableName,
            Item: {
              ...key(request.requestId),
              ...request,
              [COUNTS]: {},
              // Listed per customer, so an erasure finds the export bundles made for the person before.
              gsi1pk: `DSR#CUSTOMER#${request.customerId}`,
              gsi1sk: `${request.filedAt}#${request.requestId}`,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        outboxItem(
          tableName,
          `dsr:${request.requestId}`,
          SUBJECT_REQUEST_FILED_DETAIL_TYPE,
          event,
          request.filedAt,
        ),
      ]),

    start: async (requestId, customerIds, at) => {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(requestId),
          UpdateExpression:
            'SET #s = :running, startedAt = if_not_exists(startedAt, :at), customerIds = if_not_exists(customerIds, :ids)',
          ConditionExpression: '#s IN (:filed, :running)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':running': 'running',
            ':filed': 'filed',
            ':at': at,
            ':ids': customerIds,
          },
        }),
      );
    },

    count: async (requestId, counts) => {
      const entries = Object.entries(counts).filter(([k]) => /^[A-Za-z]{1,64}$/.test(k));
      if (entries.length === 0) return;
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(requestId),
          UpdateExpression: `ADD ${entries.map((_, i) => `#c.#k${i} :v${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: {
            '#c': COUNTS,
            ...Object.fromEntries(entries.map(([k], i) => [`#k${i}`, k])),
          },
          ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
        }),
      );
    },

    bundleWritten: async (requestId, bundleKey) => {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(requestId),
          UpdateExpression: 'SET bundleKey = :k',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':k': bundleKey },
        }),
      );
    },

    complete: (requestId, receipt, erased: CustomerErasedV1 | undefined) =>
      transactIfUnchanged(db, [
        {
          Update: {
            TableName: tableName,
            Key: key(requestId),
            UpdateExpression: 'SET #s = :completed, receipt = :r, completedAt = :at',
            ConditionExpression: '#s = :running',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':completed': 'completed',
              ':running': 'running',
              ':r': receipt,
              ':at': receipt.completedAt,
            },
          },
        },
        ...(erased
          ? [
              outboxItem(
                tableName,
                `erased:${requestId}`,
                CUSTOMER_ERASED_DETAIL_TYPE,
                erased,
                erased.erasedAt,
              ),
            ]
          : []),
      ]),

    fail: async (requestId, failure) => {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(requestId),
            UpdateExpression: 'SET #s = :failed, failure = :f',
            ConditionExpression: 'attribute_exists(pk) AND #s <> :completed',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':failed': 'failed', ':completed': 'completed', ':f': failure },
          }),
        );
      } catch (error) {
        // Completed (a late failure report of a retried step) or unknown: nothing to mark.
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      }
    },
  };
};
