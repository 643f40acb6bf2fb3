import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { consentGrantedFixture } from '../../../events/fixtures/consent-recorded.v1.fixture.ts';
import { dynamoConsent } from '../../../shared/adapters/dynamodb/consent.repository.ts';
import type { ConsentRecord } from '../../../shared/domain/privacy/consent-ledger.ts';

const TABLE = 'customers';

const table = () => {
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  );
  return { db, mock: mockClient(db), repo: dynamoConsent(db, TABLE) };
};

const { specVersion: _s, ...record }: { specVersion: '1' } & ConsentRecord = consentGrantedFixture;
const event = consentGrantedFixture;

describe('Consent repository (DynamoDB)', () => {
  it('writes guard, record and outbox event in one transaction, each put only if absent', async () => {
    const { mock, repo } = table();
    mock.on(TransactWriteCommand).resolves({});

    expect(await repo.saveConsent(record, event)).toBe(true);

    const items = mock.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.map((i) => i.Put?.Item && { pk: i.Put.Item.pk, sk: i.Put.Item.sk })).toEqual([
      { pk: 'CUSTOMER#cus_0a1b2c3d4e5f60718293a4b5', sk: 'CONSENTID#web-signup-7f3c2a10' },
      {
        pk: 'CUSTOMER#cus_0a1b2c3d4e5f60718293a4b5',
        sk: 'CONSENT#marketing#email#2026-11-20T08:15:00.000Z#web-signup-7f3c2a10',
      },
      { pk: 'OUTBOX#consent-cus_0a1b2c3d4e5f60718293a4b5-web-signup-7f3c2a10', sk: 'OUTBOX' },
    ]);
    expect(items.slice(0, 2).map((i) => i.Put?.ConditionExpression)).toEqual([
      'attribute_not_exists(pk)',
      'attribute_not_exists(pk)',
    ]);
    expect(items[1]?.Put?.Item?.record).toEqual(record);
    expect(items[2]?.Put?.Item).toMatchObject({ detailType: 'ConsentRecorded', detail: event });
  });

  it('reports a cancelled transaction (the record id is taken) as not written', async () => {
    const { mock, repo } = table();
    mock
      .on(TransactWriteCommand)
      .rejects(new TransactionCanceledException({ message: 'ConditionalCheckFailed', $metadata: {} }));

    expect(await repo.saveConsent(record, event)).toBe(false);
  });

  it('reads a record by its id from the guard item, consistently', async () => {
    const { mock, repo } = table();
    mock.on(GetCommand).resolves({
      Item: { pk: 'CUSTOMER#cus_0a1b2c3d4e5f60718293a4b5', sk: 'CONSENTID#web-signup-7f3c2a10', record },
    });

    expect(await repo.consentRecord(record.customerId, record.recordId)).toEqual(record);
    expect(mock.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: { pk: 'CUSTOMER#cus_0a1b2c3d4e5f60718293a4b5', sk: 'CONSENTID#web-signup-7f3c2a10' },
      ConsistentRead: true,
    });
  });

  it("reads the state with one Query over the customer's CONSENT# items, following pages", async () => {
    const { mock, repo } = table();
    const second = { ...record, recordId: 'web-2' };
    mock
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ record }], LastEvaluatedKey: { pk: 'CUSTOMER#cus_1', sk: 'x' } })
      .resolves({ Items: [{ record: second }] });

    expect(await repo.consentRecords('cus_1')).toEqual([record, second]);

    const inputs = mock.commandCalls(QueryCommand).map((c) => c.args[0].input as QueryCommandInput);
    expect(inputs[0]).toMatchObject({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :from)',
      ExpressionAttributeValues: { ':pk': 'CUSTOMER#cus_1', ':from': 'CONSENT#' },
      ConsistentRead: true,
    });
    expect(inputs[1]?.ExclusiveStartKey).toEqual({ pk: 'CUSTOMER#cus_1', sk: 'x' });
  });

  it('reads one purpose × channel up to and including an instant for a send check', async () => {
    const { mock, repo } = table();
    mock.on(QueryCommand).resolves({ Items: [] });

    await repo.consentRecords('cus_1', {
      purpose: 'service',
      channel: 'sms',
      asOf: '2026-11-22T00:00:00.000Z',
    });

    const sent = mock.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(sent).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': 'CUSTOMER#cus_1',
        ':from': 'CONSENT#service#sms#',
        ':to': 'CONSENT#service#sms#2026-11-22T00:00:00.000Z#~',
      },
    });
    // Every record key at that instant sorts inside the range; the next millisecond sorts after it.
    const to = String(sent?.ExpressionAttributeValues?.[':to']);
    expect('CONSENT#service#sms#2026-11-22T00:00:00.000Z#zz-Z.9:_' <= to).toBe(true);
    expect('CONSENT#service#sms#2026-11-22T00:00:00.001Z#a' > to).toBe(true);
  });
});
