import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
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
  /** The export bundles still held for any of these customers: their requests and bucket keys. */
  readonly bundlesFor: (
    customerIds: readonly string[],
  ) => Promise<{ readonly requestId: string; readonly bundleKey: string }[]>;
  /** The request's bundle is gone (deleted by an erasure): it forgets the key and says when. */
  readonly bundleDeleted: (requestId: string, at: string) => Promise<void>;
} => {
  const key = keys.subjectRequest;
  return {
    bundlesFor: async (customerIds) => {
      const found: { requestId: string; bundleKey: string }[] = [];
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
            if (typeof item.bundleKey === 'string')
              found.push({ requestId: String(item.requestId), bundleKey: item.bundleKey });
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

    start: async (requestId, executionId, customerIds, at) => {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(requestId),
            UpdateExpression:
              'SET #s = :running, executionId = :e, startedAt = if_not_exists(startedAt, :at), customerIds = if_not_exists(customerIds, :ids) REMOVE failure',
            // Filed, failed (redriven), or already this execution's (a retried plan task).
            ConditionExpression: '#s IN (:filed, :failed) OR (#s = :running AND executionId = :e)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':running': 'running',
              ':filed': 'filed',
              ':failed': 'failed',
              ':e': executionId,
              ':at': at,
              ':ids': customerIds,
            },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
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

    bundleDeleted: async (requestId, at) => {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(requestId),
          UpdateExpression: 'SET bundleDeletedAt = :at REMOVE bundleKey',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
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
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
};
