import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { c360OpenApiDocument } from '#infra/definitions/route-docs.definition.ts';

// Built once per container from the route definitions and the schemas the handlers parse with.
const body = JSON.stringify(c360OpenApiDocument());

/** `GET /openapi.json`: the OpenAPI 3.1 document of this API. */
export const handler = async (): Promise<APIGatewayProxyResultV2> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
  body,
});
