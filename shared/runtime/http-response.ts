import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A JSON response (payload format 2.0). */
export const jsonResponse = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** An RFC 9457 problem response; `extensions` are extra members (e.g. what a Segment client expects). */
export const problemResponse = (
  status: number,
  title: string,
  detail?: string,
  extensions: Readonly<Record<string, unknown>> = {},
): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({ ...extensions, type: 'about:blank', title, status, ...(detail ? { detail } : {}) }),
});
