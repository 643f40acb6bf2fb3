import { existsSync, readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LocalEndpoints } from '../local/local-clients.ts';
import { localClients } from '../local/local-clients.ts';
import { LOCAL_ENDPOINTS_FILE } from '../local/local-paths.ts';

/** What a running `npm start` publishes for the CLI (see start.ts). */
export type LocalStackInfo = {
  readonly endpoints: LocalEndpoints & { readonly api: string };
  readonly names: {
    readonly table: string;
    readonly streams: Readonly<Record<string, string>>;
    readonly buckets: Readonly<Record<string, string>>;
  };
};

export class LocalStackNotRunningError extends Error {
  override readonly name = 'LocalStackNotRunningError';
}

export type CliContext = {
  readonly target: 'local' | 'aws';
  readonly db: DynamoDBDocumentClient;
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
  readonly tableName: string;
  readonly streamName: (id: string) => string;
  readonly bucketName: (id: string) => string;
};

const need = (value: string | undefined, what: string): string => {
  if (!value) throw new LocalStackNotRunningError(`${what} is unknown`);
  return value;
};

/**
 * Where CLI commands act: the running local stack (found through `.c360/endpoints.json`), or a deployed
 * stage when `CUSTOMER_TABLE_NAME` (and, as needed, `INGEST_STREAM_NAME`, `QUARANTINE_BUCKET_NAME`) are set
 * with AWS credentials in the environment.
 */
export const cliContext = (): CliContext => {
  if (existsSync(LOCAL_ENDPOINTS_FILE)) {
    const info = JSON.parse(readFileSync(LOCAL_ENDPOINTS_FILE, 'utf8')) as LocalStackInfo;
    const clients = localClients(info.endpoints);
    return {
      target: 'local',
      db: DynamoDBDocumentClient.from(clients.dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
      kinesis: clients.kinesis,
      s3: clients.s3,
      tableName: info.names.table,
      streamName: (id) => need(info.names.streams[id], `stream ${id}`),
      bucketName: (id) => need(info.names.buckets[id], `bucket ${id}`),
    };
  }
  const table = process.env.CUSTOMER_TABLE_NAME;
  if (!table)
    throw new LocalStackNotRunningError(
      'c360 local is not running (start it with `npm start`), and CUSTOMER_TABLE_NAME is not set for a deployed stage',
    );
  return {
    target: 'aws',
    db: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    kinesis: new KinesisClient({}),
    s3: new S3Client({}),
    tableName: table,
    streamName: () => need(process.env.INGEST_STREAM_NAME, 'INGEST_STREAM_NAME'),
    bucketName: () => need(process.env.QUARANTINE_BUCKET_NAME, 'QUARANTINE_BUCKET_NAME'),
  };
};
