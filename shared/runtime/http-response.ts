import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A JSON response (payload format 2.0). */
export const jsonResponse = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** An RFC 9457 problem response. */
export const problemResponse = (
  status: number,
  title: string,
  detail?: string,
): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({ type: 'about:blank', title, status, ...(detail ? { detail } : {}) }),
});
