import { z } from 'zod';

/*
 * The error bodies of the API. Every 4xx a function answers is an RFC 9457 problem (`application/problem+json`);
 * a 400 for input that failed its schema lists what is wrong per field in `errors`, each with a JSON Pointer
 * (RFC 6901) into the request: `/body/…`, `/query/…` or `/path/…`. API Gateway's own answers (401 from the JWT
 * authorizer, 404 for no route, 413, 429, 5xx) cannot be reshaped on an HTTP API: `{ message }`.
 */

/** One field of the request that is wrong, and why. */
export const fieldError = z.object({
  pointer: z.string().meta({
    description: 'JSON Pointer (RFC 6901) into the request: /body/…, /query/… or /path/…',
    examples: ['/body/verdict', '/query/limit'],
  }),
  detail: z.string(),
});
export type FieldError = z.infer<typeof fieldError>;

/** An RFC 9457 problem; extension members (e.g. Segment's `success`, `error`) are allowed. */
export const problemDetails = z
  .looseObject({
    type: z.string().meta({ description: "'about:blank': the status code says it all" }),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string().optional(),
    errors: z.array(fieldError).optional().meta({ description: 'Field errors of an invalid request' }),
  })
  .meta({ title: 'Problem' });

/** What API Gateway answers by itself (401 from the authorizer, 404 for no route, 413, 5xx). */
export const gatewayError = z.object({ message: z.string() }).meta({ title: 'GatewayError' });

export type RequestPart = 'body' | 'query' | 'path';

const pointerOf = (part: RequestPart, path: readonly PropertyKey[]): string =>
  `/${part}${path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')}`;

/**
 * Zod issues as field errors with pointers into `part` of the request. An unknown key of a strict object is
 * reported at the key itself; an issue about the whole object (a refinement) at the object.
 */
export const fieldErrors = (part: RequestPart, issues: readonly z.core.$ZodIssue[]): FieldError[] =>
  issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          pointer: pointerOf(part, [...issue.path, key]),
          detail: 'is not allowed',
        }))
      : [{ pointer: pointerOf(part, issue.path), detail: issue.message }],
  );
