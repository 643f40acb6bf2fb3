import { GetCommand } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { documentClient } from '#shared/adapters/aws/aws-clients.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { checkHealth } from '#shared/use-cases/platform/check-health.use-case.ts';

const env = readEnv({
  C360_STAGE: z.string().min(1),
  CUSTOMER_TABLE_NAME: z.string().min(1),
  C360_RESOURCES: z.string().transform((s) => JSON.parse(s) as unknown),
});

const pingTable = async (): Promise<void> => {
  await documentClient().send(
    new GetCommand({ TableName: env.CUSTOMER_TABLE_NAME, Key: { pk: 'HEALTH', sk: 'HEALTH' } }),
  );
};

export const handler = middy(async (): Promise<APIGatewayProxyResultV2> => {
  const report = await checkHealth({ table: pingTable });
  return {
    statusCode: report.status === 'ok' ? 200 : 503,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ ...report, stage: env.C360_STAGE, resources: env.C360_RESOURCES }),
  };
});
