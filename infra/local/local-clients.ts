import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
// s3rver accepts only its own key pair; the other stand-ins accept any.
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export type LocalEndpoints = {
  readonly dynamodb: string;
  readonly kinesis: string;
  readonly s3: string;
  readonly sqs: string;
  readonly events: string;
};

/** The environment that points an unchanged handler's SDK clients at the stand-ins. */
export const localAwsEnvironment = (e: LocalEndpoints): Record<string, string> => ({
  AWS_REGION: LOCAL_REGION,
  AWS_DEFAULT_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  AWS_ENDPOINT_URL_DYNAMODB: e.dynamodb,
  AWS_ENDPOINT_URL_KINESIS: e.kinesis,
  AWS_ENDPOINT_URL_S3: e.s3,
  AWS_ENDPOINT_URL_SQS: e.sqs,
  AWS_ENDPOINT_URL_EVENTBRIDGE: e.events,
  // Node 20 here, nodejs22.x in AWS: the SDK's notice about Node 22 says nothing about the local stack.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

export type LocalClients = {
  readonly dynamodb: DynamoDBClient;
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
};

/** Clients the local stack itself uses (provisioning, pollers, demo data, tests). */
export const localClients = (e: LocalEndpoints): LocalClients => {
  const base = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 3 };
  return {
    dynamodb: new DynamoDBClient({ ...base, endpoint: e.dynamodb }),
    kinesis: new KinesisClient({ ...base, endpoint: e.kinesis, requestHandler: new NodeHttpHandler() }),
    s3: new S3Client({
      ...base,
      endpoint: e.s3,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    sqs: new SQSClient({ ...base, endpoint: e.sqs }),
    events: new EventBridgeClient({ ...base, endpoint: e.events }),
  };
};
