import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/*
 * SDK clients, created once per execution environment. Endpoints come from the standard
 * AWS_ENDPOINT_URL_<SERVICE> variables (set only by the local stack); the two stand-in quirks below are
 * keyed on those, so in AWS every client has its defaults.
 */

const localEndpoint = (service: string): string | undefined => process.env[`AWS_ENDPOINT_URL_${service}`];

let dynamoBase: DynamoDBClient | undefined;
/** The plain DynamoDB client (for libraries that marshall themselves, e.g. Powertools idempotency). */
export const dynamoDbClient = (): DynamoDBClient => {
  dynamoBase ??= new DynamoDBClient({});
  return dynamoBase;
};

let dynamo: DynamoDBDocumentClient | undefined;
export const documentClient = (): DynamoDBDocumentClient => {
  dynamo ??= DynamoDBDocumentClient.from(dynamoDbClient(), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return dynamo;
};

let kinesis: KinesisClient | undefined;
export const kinesisClient = (): KinesisClient => {
  // kinesalite speaks HTTP/1.1 only; the SDK's default HTTP/2 handler fails against it.
  kinesis ??= new KinesisClient(
    localEndpoint('KINESIS')?.startsWith('http://') ? { requestHandler: new NodeHttpHandler() } : {},
  );
  return kinesis;
};

let s3: S3Client | undefined;
export const s3Client = (): S3Client => {
  // s3rver needs path-style URLs and stores streamed bodies with aws-chunked framing unless checksums are
  // only computed when required.
  s3 ??= new S3Client(
    localEndpoint('S3')
      ? {
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }
      : {},
  );
  return s3;
};

let sqs: SQSClient | undefined;
export const sqsClient = (): SQSClient => {
  sqs ??= new SQSClient({});
  return sqs;
};

let events: EventBridgeClient | undefined;
export const eventBridgeClient = (): EventBridgeClient => {
  events ??= new EventBridgeClient({});
  return events;
};
