import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { fieldErrors } from '../api/problem.schema.ts';
import { problemResponse } from './http-response.ts';

/** Zod issues as one line for a problem's `detail`: `path: message; …`. */
const issuesText = (issues: readonly z.core.$ZodIssue[]): string =>
  issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

/**
 * The request's query string validated against `schema`, or the 400 problem response: its `errors` point at
 * each wrong parameter (`/query/<name>`), its `detail` lists the issues unless `detail` says it in words.
 */
export const queryParams = <S extends z.ZodType>(
  event: Pick<APIGatewayProxyEventV2, 'queryStringParameters'>,
  schema: S,
  detail?: string,
):
  | { readonly ok: true; readonly value: z.output<S> }
  | { readonly ok: false; readonly response: APIGatewayProxyStructuredResultV2 } => {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  return parsed.success
    ? { ok: true, value: parsed.data }
    : {
        ok: false,
        response: problemResponse(400, 'Invalid query', detail ?? issuesText(parsed.error.issues), {
          errors: fieldErrors('query', parsed.error.issues),
        }),
      };
};

/** The route's path parameters validated against `schema`, or the 400 problem response (`/path/<name>`). */
export const pathParams = <S extends z.ZodType>(
  event: Pick<APIGatewayProxyEventV2, 'pathParameters'>,
  schema: S,
):
  | { readonly ok: true; readonly value: z.output<S> }
  | { readonly ok: false; readonly response: APIGatewayProxyStructuredResultV2 } => {
  const parsed = schema.safeParse(event.pathParameters ?? {});
  return parsed.success
    ? { ok: true, value: parsed.data }
    : {
        ok: false,
        response: problemResponse(400, 'Invalid path', issuesText(parsed.error.issues), {
          errors: fieldErrors('path', parsed.error.issues),
        }),
      };
};

/**
 * The request's JSON body validated against `schema`, or the 400 problem response that says what is wrong,
 * with `errors` pointing at each wrong field (`/body/…`; `expected` describes the body for a caller who sent
 * something that is not JSON at all).
 */
export const jsonBody = <S extends z.ZodType>(
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>,
  schema: S,
  expected: string,
):
  | { readonly ok: true; readonly value: z.output<S> }
  | { readonly ok: false; readonly response: APIGatewayProxyStructuredResultV2 } => {
  let json: unknown;
  try {
    json = JSON.parse(
      event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? ''),
    );
  } catch {
    const detail = `expected JSON: ${expected}`;
    return {
      ok: false,
      response: problemResponse(400, 'Invalid body', detail, { errors: [{ pointer: '/body', detail }] }),
    };
  }
  const parsed = schema.safeParse(json);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : {
        ok: false,
        response: problemResponse(400, 'Invalid body', issuesText(parsed.error.issues), {
          errors: fieldErrors('body', parsed.error.issues),
        }),
      };
};
