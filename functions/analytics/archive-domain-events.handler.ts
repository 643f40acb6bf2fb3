import { PutObjectCommand } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { s3Client } from '#shared/adapters/aws/aws-clients.ts';
import { sha256Hex } from '#shared/adapters/crypto/sha256.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { archiveDomainEvents } from '#shared/use-cases/analytics/archive-domain-events.use-case.ts';

const env = readEnv({ LAKE_BUCKET_NAME: z.string().min(1) });

const putObject = async (key: string, body: string): Promise<void> => {
  await s3Client().send(
    new PutObjectCommand({
      Bucket: env.LAKE_BUCKET_NAME,
      Key: key,
      Body: body,
      ContentType: 'application/x-ndjson',
    }),
  );
};

const sha256 = (s: string): string => sha256Hex(s, 32);

export const handler = middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failed = await archiveDomainEvents(
    event.Records.map((r) => ({ messageId: r.messageId, body: r.body })),
    { putObject, digest: sha256 },
  );
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
});
