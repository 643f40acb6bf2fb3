import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../../infra/local/emulators/dynamodb-local.emulator.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/local-clients.ts';

/**
 * A DynamoDB Local of its own with one `pk`/`sk` table, for adapter tests that need the real store but
 * not the whole local stack.
 */
export const startSingleTable = async (
  tableName: string,
): Promise<{ readonly db: DynamoDBDocumentClient; readonly stop: () => Promise<void> }> => {
  const dynamodb = await startDynamoDbLocal();
  const client = new DynamoDBClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: dynamodb.endpoint,
  });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  return { db: DynamoDBDocumentClient.from(client), stop: () => dynamodb.stop() };
};
