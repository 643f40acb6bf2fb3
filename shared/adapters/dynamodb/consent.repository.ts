import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CONSENT_RECORDED_DETAIL_TYPE } from '../../../events/privacy/consent-recorded.v1.ts';
import type { ConsentRecord } from '../../domain/privacy/consent-ledger.ts';
import type { ConsentPorts } from '../../use-cases/privacy/consent.use-case.ts';
import { keys } from './table-keys.ts';
import { outboxItem, transactIfUnchanged } from './transact.ts';

/*
 * The consent ledger in the single table, beside the customer's other items:
 * - `CUSTOMER#<id>` `CONSENT#<purpose>#<channel>#<occurredAt>#<recordId>`: one record, never changed. Keys of
 *   one purpose × channel sort by when they occurred, so a send check reads one key range up to its instant.
 * - `CUSTOMER#<id>` `CONSENTID#<recordId>`: the idempotency guard, with a copy of the record. It and the
 *   record are put only if absent, with ConsentRecorded in the outbox, in one transaction: a retried
 *   request writes nothing the second time.
 * Ids in keys are `#`-free by contract (letters, digits, `._:-`), so `~` bounds every key range.
 */

export const dynamoConsent = (db: DynamoDBDocumentClient, tableName: string): ConsentPorts => ({
  consentRecords: async (customerId, scope) => {
    const { pk } = keys.customer(customerId);
    const range =
      scope === undefined
        ? { condition: 'begins_with(sk, :from)', values: { ':from': 'CONSENT#' } }
        : {
            condition: 'sk BETWEEN :from AND :to',
            values: {
              ':from': `CONSENT#${scope.purpose}#${scope.channel}#`,
              ':to': `CONSENT#${scope.purpose}#${scope.channel}#${scope.asOf}#~`,
            },
          };
    const records: ConsentRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const got = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: `pk = :pk AND ${range.condition}`,
          ExpressionAttributeValues: { ':pk': pk, ...range.values },
          // `record` is a DynamoDB reserved word.
          ProjectionExpression: '#record',
          ExpressionAttributeNames: { '#record': 'record' },
          ConsistentRead: true,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      for (const item of got.Items ?? []) records.push(item.record as ConsentRecord);
      start = got.LastEvaluatedKey;
    } while (start !== undefined);
    return records;
  },

  consentRecord: async (customerId, recordId) => {
    const got = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: keys.consentRecordId(customerId, recordId),
        ConsistentRead: true,
      }),
    );
    return got.Item?.record as ConsentRecord | undefined;
  },

  saveConsent: (record, event) => {
    const ifAbsent = { ConditionExpression: 'attribute_not_exists(pk)' };
    return transactIfUnchanged(db, [
      {
        Put: {
          TableName: tableName,
          Item: { ...keys.consentRecordId(record.customerId, record.recordId), record },
          ...ifAbsent,
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: {
            ...keys.consentRecord(
              record.customerId,
              record.purpose,
              record.channel,
              record.occurredAt,
              record.recordId,
            ),
            record,
          },
          ...ifAbsent,
        },
      },
      outboxItem(
        tableName,
        `consent-${record.customerId}-${record.recordId}`,
        CONSENT_RECORDED_DETAIL_TYPE,
        event,
        record.recordedAt,
      ),
    ]);
  },
});
