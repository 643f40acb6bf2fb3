import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CONSENT_RECORDED_DETAIL_TYPE } from '../../../events/privacy/consent-recorded.v1.ts';
import { MAX_MERGE_HOPS } from '../../domain/identity/identity-graph.ts';
import type { ConsentRecord } from '../../domain/privacy/consent-ledger.ts';
import type { ConsentPerson, ConsentPorts, ConsentScope } from '../../use-cases/privacy/consent.use-case.ts';
import { batchGetConsistent } from './batch-get.ts';
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
 *
 * Records stay under the customer id they name, merged or not; a read folds over the person: the id
 * followed through `mergedInto` to the survivor (PROFILE items), then every customer merged into it
 * (`MERGE#` items of the identity graph, recursively). Only key ranges are read — never a whole customer
 * partition, which holds the timeline.
 */

/** The records stored under one customer id, all or those of `scope`: one key range, paged. */
export const customerConsentRecords = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  customerId: string,
  scope?: ConsentScope,
): Promise<ConsentRecord[]> => {
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
};

/** The customers merged into `customerId`: its `MERGE#` key range, paged. */
const mergedCustomers = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  customerId: string,
): Promise<string[]> => {
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const got = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :merge)',
        ExpressionAttributeValues: { ':pk': keys.customer(customerId).pk, ':merge': 'MERGE#' },
        ProjectionExpression: 'mergedCustomerId',
        ConsistentRead: true,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    for (const item of got.Items ?? []) ids.push(String(item.mergedCustomerId));
    start = got.LastEvaluatedKey;
  } while (start !== undefined);
  return ids;
};

/** What a consent read needs of a customer record: where it was merged to, whether it was erased. */
const customerHead = async (db: DynamoDBDocumentClient, tableName: string, customerId: string) => {
  const got = await db.send(
    new GetCommand({
      TableName: tableName,
      Key: keys.customer(customerId),
      ProjectionExpression: 'mergedInto, #s, erasedAt',
      ExpressionAttributeNames: { '#s': 'status' },
      ConsistentRead: true,
    }),
  );
  const item = got.Item;
  return {
    mergedInto: typeof item?.mergedInto === 'string' ? item.mergedInto : undefined,
    erasedAt: item?.status === 'erased' ? String(item.erasedAt) : undefined,
  };
};

/**
 * The person `customerId` stands for, with what `read` gives for each of their customer ids. Each customer
 * is read with its `MERGE#` range and `read` at once, and on the way up to the survivor with its PROFILE
 * too, betting that it is the survivor (most customers never merged): a customer that never merged costs
 * one round trip of three requests; each level of merges one more round trip.
 */
const walkPerson = async <T>(
  db: DynamoDBDocumentClient,
  tableName: string,
  customerId: string,
  read: (customerId: string) => Promise<T>,
): Promise<{ person: ConsentPerson; read: T[] }> => {
  const visits = new Map<string, Promise<{ merged: string[]; data: T }>>();
  const visit = (id: string) => {
    let v = visits.get(id);
    if (v === undefined) {
      v = Promise.all([mergedCustomers(db, tableName, id), read(id)]).then(([merged, data]) => ({
        merged,
        data,
      }));
      visits.set(id, v);
    }
    return v;
  };
  let survivor = customerId;
  let [head] = await Promise.all([customerHead(db, tableName, survivor), visit(survivor)]);
  for (let hop = 0; head.mergedInto !== undefined && hop < MAX_MERGE_HOPS; hop++) {
    survivor = head.mergedInto;
    [head] = await Promise.all([customerHead(db, tableName, survivor), visit(survivor)]);
  }
  // A tombstone has no merges left to follow, and nothing to read.
  if (head.erasedAt !== undefined)
    return { person: { customerId: survivor, customerIds: [survivor], erasedAt: head.erasedAt }, read: [] };
  const customerIds: string[] = [];
  const data: T[] = [];
  const seen = new Set<string>();
  for (let level = [survivor]; level.length > 0; ) {
    const fresh = [...new Set(level)].filter((id) => !seen.has(id));
    for (const id of fresh) seen.add(id);
    const got = await Promise.all(fresh.map(visit));
    customerIds.push(...fresh);
    data.push(...got.map((g) => g.data));
    level = got.flatMap((g) => g.merged);
  }
  return { person: { customerId: survivor, customerIds }, read: data };
};

export const dynamoConsent = (db: DynamoDBDocumentClient, tableName: string): ConsentPorts => ({
  consentRecords: async (customerId, scope) => {
    const walked = await walkPerson(db, tableName, customerId, (id) =>
      customerConsentRecords(db, tableName, id, scope),
    );
    return { person: walked.person, records: walked.read.flat() };
  },

  person: async (customerId) => (await walkPerson(db, tableName, customerId, async () => undefined)).person,

  consentRecord: async (customerIds, recordId) => {
    const got = await batchGetConsistent(
      db,
      tableName,
      customerIds.map((id) => keys.consentRecordId(id, recordId)),
    );
    // Under two ids of the same person (a race of two requests): the first id's, so every read agrees.
    const byCustomer = new Map(got.map((i) => [String(i.pk), i.record as ConsentRecord]));
    for (const id of customerIds) {
      const record = byCustomer.get(keys.customer(id).pk);
      if (record !== undefined) return record;
    }
    return undefined;
  },

  saveConsent: (record, event) => {
    const ifAbsent = { ConditionExpression: 'attribute_not_exists(pk)' };
    return transactIfUnchanged(db, [
      {
        // An erasure tombstones the customer, then purges its partition: refused once the tombstone is
        // there, no record can slip in behind the purge.
        ConditionCheck: {
          TableName: tableName,
          Key: keys.customer(record.customerId),
          ConditionExpression: 'attribute_not_exists(pk) OR #s <> :erased',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':erased': 'erased' },
        },
      },
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
