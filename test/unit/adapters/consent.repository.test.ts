import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
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

    const [erasedCheck, ...items] =
      mock.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    // Not for an erased customer: its tombstone is there before its partition is purged.
    expect(erasedCheck?.ConditionCheck).toMatchObject({
      Key: { pk: 'CUSTOMER#cus_0a1b2c3d4e5f60718293a4b5', sk: 'PROFILE' },
      ConditionExpression: 'attribute_not_exists(pk) OR #s <> :erased',
      ExpressionAttributeValues: { ':erased': 'erased' },
    });
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

  it("reads a record by its id from the guard items of the person's ids, consistently, the first id's first", async () => {
    const { mock, repo } = table();
    const theirs = { ...record, customerId: 'cus_2' };
    mock.on(BatchGetCommand).resolves({
      Responses: {
        [TABLE]: [
          { pk: 'CUSTOMER#cus_2', sk: `CONSENTID#${record.recordId}`, record: theirs },
          { pk: `CUSTOMER#${record.customerId}`, sk: `CONSENTID#${record.recordId}`, record },
        ],
      },
    });

    expect(await repo.consentRecord([record.customerId, 'cus_2'], record.recordId)).toEqual(record);
    expect(await repo.consentRecord(['cus_2', record.customerId], record.recordId)).toEqual(theirs);
    expect(mock.commandCalls(BatchGetCommand)[0]?.args[0].input).toEqual({
      RequestItems: {
        [TABLE]: {
          Keys: [
            { pk: 'CUSTOMER#cus_0a1b2c3d4e5f60718293a4b5', sk: 'CONSENTID#web-signup-7f3c2a10' },
            { pk: 'CUSTOMER#cus_2', sk: 'CONSENTID#web-signup-7f3c2a10' },
          ],
          ConsistentRead: true,
        },
      },
    });
  });

  it('reads an unmerged customer in one round trip: its PROFILE, its MERGE# range and its CONSENT# range', async () => {
    const { mock, repo } = table();
    const second = { ...record, recordId: 'web-2' };
    mock.on(GetCommand).resolves({ Item: { status: 'active' } });
    mock.on(QueryCommand).resolves({ Items: [] });
    mock
      .on(QueryCommand, { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :from)' })
      .resolvesOnce({ Items: [{ record }], LastEvaluatedKey: { pk: 'CUSTOMER#cus_1', sk: 'x' } })
      .resolves({ Items: [{ record: second }] });

    expect(await repo.consentRecords('cus_1')).toEqual({
      person: { customerId: 'cus_1', customerIds: ['cus_1'] },
      records: [record, second],
    });

    expect(mock.commandCalls(GetCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ Key: { pk: 'CUSTOMER#cus_1', sk: 'PROFILE' }, ConsistentRead: true }),
    ]);
    const inputs = mock.commandCalls(QueryCommand).map((c) => c.args[0].input as QueryCommandInput);
    expect(inputs).toHaveLength(3);
    expect(inputs).toContainEqual(
      expect.objectContaining({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :merge)',
        ExpressionAttributeValues: { ':pk': 'CUSTOMER#cus_1', ':merge': 'MERGE#' },
        ConsistentRead: true,
      }),
    );
    const consent = inputs.filter((i) => i.ExpressionAttributeValues?.[':from'] === 'CONSENT#');
    expect(consent[0]).toMatchObject({
      TableName: TABLE,
      ExpressionAttributeValues: { ':pk': 'CUSTOMER#cus_1', ':from': 'CONSENT#' },
      ConsistentRead: true,
    });
    expect(consent[1]?.ExclusiveStartKey).toEqual({ pk: 'CUSTOMER#cus_1', sk: 'x' });
  });

  it('reads one purpose × channel up to and including an instant for a send check', async () => {
    const { mock, repo } = table();
    mock.on(GetCommand).resolves({});
    mock.on(QueryCommand).resolves({ Items: [] });

    await repo.consentRecords('cus_1', {
      purpose: 'service',
      channel: 'sms',
      asOf: '2026-11-22T00:00:00.000Z',
    });

    const sent = mock
      .commandCalls(QueryCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.KeyConditionExpression?.includes('BETWEEN'));
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

/** A table in memory behind the mocked client: the key lookups and key-range queries the repository makes. */
const fakeTable = (items: readonly Record<string, unknown>[]) => {
  const { mock, repo } = table();
  const at = (pk: unknown, sk: unknown) => items.find((i) => i.pk === pk && i.sk === sk);
  mock.on(GetCommand).callsFake((input: GetCommandInput) => ({ Item: at(input.Key?.pk, input.Key?.sk) }));
  mock.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => ({
    Responses: {
      [TABLE]: (input.RequestItems?.[TABLE]?.Keys ?? []).flatMap((k) => at(k.pk, k.sk) ?? []),
    },
  }));
  mock.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const v = input.ExpressionAttributeValues ?? {};
    const inRange = (sk: string) =>
      input.KeyConditionExpression?.includes('BETWEEN')
        ? sk >= String(v[':from']) && sk <= String(v[':to'])
        : sk.startsWith(String(v[':from'] ?? v[':merge']));
    return { Items: items.filter((i) => i.pk === v[':pk'] && inRange(String(i.sk))) };
  });
  return { mock, repo };
};

describe('Consent repository: the person behind merged customer ids', () => {
  const of = (customerId: string, recordId: string) => {
    const r = { ...record, customerId, recordId };
    return {
      pk: `CUSTOMER#${customerId}`,
      sk: `CONSENT#marketing#email#${r.occurredAt}#${recordId}`,
      record: r,
    };
  };
  const profile = (customerId: string, extra: Record<string, unknown> = {}) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: 'PROFILE',
    status: 'active',
    ...extra,
  });
  const merge = (survivor: string, merged: string) => ({
    pk: `CUSTOMER#${survivor}`,
    sk: `MERGE#${merged}`,
    mergedCustomerId: merged,
  });
  // C was merged into B, then B into A. A's timeline is beside its ledger, and never read.
  const graph = [
    profile('cus_a'),
    profile('cus_b', { status: 'merged', mergedInto: 'cus_a' }),
    profile('cus_c', { status: 'merged', mergedInto: 'cus_b' }),
    merge('cus_a', 'cus_b'),
    merge('cus_b', 'cus_c'),
    { pk: 'CUSTOMER#cus_a', sk: 'EVT#2026-11-20T08:00:00.000Z#e-1' },
    of('cus_a', 'r-a'),
    of('cus_b', 'r-b'),
    of('cus_c', 'r-c'),
    of('cus_x', 'r-x'),
  ];

  it('follows a merged id up to the survivor, then down its MERGE# ranges, reading each ledger once', async () => {
    const { mock, repo } = fakeTable(graph);

    const got = await repo.consentRecords('cus_c');

    expect(got.person).toEqual({ customerId: 'cus_a', customerIds: ['cus_a', 'cus_b', 'cus_c'] });
    expect(got.records.map((r) => r.recordId).sort()).toEqual(['r-a', 'r-b', 'r-c']);
    const queries = mock.commandCalls(QueryCommand).map((c) => c.args[0].input as QueryCommandInput);
    // Key ranges only, never a whole partition: one MERGE# and one CONSENT# range per customer.
    expect(queries.every((q) => /AND (begins_with|sk BETWEEN)/.test(q.KeyConditionExpression ?? ''))).toBe(
      true,
    );
    expect(queries).toHaveLength(6);
    expect(mock.commandCalls(GetCommand)).toHaveLength(3);
  });

  it('resolves the survivor from itself, and a customer c360 has no record of as itself alone', async () => {
    const { repo } = fakeTable(graph);

    expect(await repo.person('cus_a')).toEqual({
      customerId: 'cus_a',
      customerIds: ['cus_a', 'cus_b', 'cus_c'],
    });
    expect(await repo.consentRecords('cus_x')).toEqual({
      person: { customerId: 'cus_x', customerIds: ['cus_x'] },
      records: [of('cus_x', 'r-x').record],
    });
  });

  it('separates the ids again once unmerged (the MERGE# item gone, mergedInto removed)', async () => {
    const { repo } = fakeTable([
      profile('cus_a'),
      profile('cus_b', { keptApart: new Set(['cus_a']) }),
      of('cus_a', 'r-a'),
      of('cus_b', 'r-b'),
    ]);

    expect((await repo.consentRecords('cus_a')).records.map((r) => r.recordId)).toEqual(['r-a']);
    expect((await repo.consentRecords('cus_b')).records.map((r) => r.recordId)).toEqual(['r-b']);
  });

  it('reports an erased person with nothing to read', async () => {
    const { repo } = fakeTable([
      profile('cus_a', { status: 'erased', erasedAt: '2026-11-21T00:00:00.000Z' }),
      of('cus_a', 'r-a'),
    ]);

    expect(await repo.consentRecords('cus_a')).toEqual({
      person: { customerId: 'cus_a', customerIds: ['cus_a'], erasedAt: '2026-11-21T00:00:00.000Z' },
      records: [],
    });
  });
});
