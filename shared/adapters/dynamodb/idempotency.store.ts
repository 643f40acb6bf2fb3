import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { keys } from './table-keys.ts';

/**
 * Powertools' DynamoDB persistence layer on the single table. Its records expire through the table's TTL
 * attribute (`expiresAt`, epoch seconds, as Powertools writes it). Each record gets its own partition
 * (`keys.idempotency`) instead of Powertools' `staticPkValue`, which would put every caller's records under
 * one partition key.
 */
export class SingleTableIdempotencyStore extends DynamoDBPersistenceLayer {
  constructor(client: DynamoDBClient, tableName: string) {
    super({
      tableName,
      awsSdkV3Client: client,
      keyAttr: 'pk',
      sortKeyAttr: 'sk',
      expiryAttr: 'expiresAt',
    });
  }

  protected override getKey(idempotencyKey: string): Record<string, AttributeValue> {
    return marshall(keys.idempotency(idempotencyKey));
  }
}
