import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Source } from '../../domain/ingest/source.ts';
import { sha256Hex } from '../crypto/sha256.ts';
import { keys } from './table-keys.ts';

/** Write keys are high-entropy secrets: a plain SHA-256 is enough to store them without storing them. */
export const hashWriteKey = (writeKey: string): string => sha256Hex(writeKey);

export type SourceRepository = {
  /** Adds a write key to a source, creating the source on first use. */
  readonly addWriteKey: (source: Source, writeKey: string) => Promise<void>;
  readonly findByWriteKey: (writeKey: string) => Promise<string | undefined>;
  readonly list: () => Promise<Source[]>;
};

export const dynamoSourceRepository = (db: DynamoDBDocumentClient, tableName: string): SourceRepository => ({
  addWriteKey: async (source, writeKey) => {
    const put = (Item: Record<string, unknown>) => ({
      Put: { TableName: tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
    });
    const keyItem = put({
      ...keys.writeKey(hashWriteKey(writeKey)),
      source: source.name,
      createdAt: source.createdAt,
    });
    const sourceItem = put({
      ...keys.source(source.name),
      gsi1pk: 'SOURCES',
      gsi1sk: source.name,
      ...source,
    });
    try {
      await db.send(new TransactWriteCommand({ TransactItems: [sourceItem, keyItem] }));
    } catch (error) {
      // The source already exists: only the key is new.
      if (!(error instanceof TransactionCanceledException) || error.CancellationReasons?.[1]?.Code !== 'None')
        throw error;
      await db.send(new TransactWriteCommand({ TransactItems: [keyItem] }));
    }
  },
  findByWriteKey: async (writeKey) => {
    const got = await db.send(
      new GetCommand({ TableName: tableName, Key: keys.writeKey(hashWriteKey(writeKey)) }),
    );
    return typeof got.Item?.source === 'string' ? got.Item.source : undefined;
  },
  list: async () => {
    const out = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'SOURCES' },
      }),
    );
    return (out.Items ?? []).map((i) => ({ name: String(i.name), createdAt: String(i.createdAt) }));
  },
});
