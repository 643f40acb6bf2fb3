import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { documentClient } from '#shared/adapters/aws/aws-clients.ts';
import { readQualityCounters } from '#shared/adapters/dynamodb/quality.repository.ts';
import { qualityQuery } from '#shared/api/ingest.schemas.ts';
import { qualityReport } from '#shared/domain/ingest/quality-report.ts';
import { authorize } from '#shared/runtime/caller.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { queryParams } from '#shared/runtime/http-request.ts';
import { jsonResponse } from '#shared/runtime/http-response.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1) });

export const handler = async (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<APIGatewayProxyResultV2> => {
  const allowed = authorize(event, 'quality:read');
  if (!allowed.ok) return allowed.response;
  const q = queryParams(event, qualityQuery, 'from and to must be dates (YYYY-MM-DD)');
  if (!q.ok) return q.response;
  const to = q.value.to ?? new Date().toISOString().slice(0, 10);
  const from = q.value.from ?? new Date(Date.parse(to) - 29 * 86_400_000).toISOString().slice(0, 10);
  const rows = await readQualityCounters(documentClient(), env.CUSTOMER_TABLE_NAME, from, to);
  return jsonResponse(200, { from, to, sources: qualityReport(rows) });
};
