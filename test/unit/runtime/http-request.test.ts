import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldErrors, problemDetails } from '../../../shared/api/problem.schema.ts';
import { jsonBody, pathParams, queryParams } from '../../../shared/runtime/http-request.ts';

const bodyOf = (response: { body?: string }) => JSON.parse(response.body ?? '{}') as unknown;
const schema = z.strictObject({ verdict: z.enum(['approve', 'reject']), items: z.array(z.int()).optional() });

describe('Request parsing: problem+json with field errors', () => {
  it('points at each wrong body field, and at each unknown key', () => {
    // Act
    const parsed = jsonBody(
      { body: JSON.stringify({ verdict: 'maybe', items: [1, 'x'], extra: 1 }), isBase64Encoded: false },
      schema,
      '{}',
    );
    // Assess
    if (parsed.ok) throw new Error('expected a problem');
    expect(parsed.response.statusCode).toBe(400);
    expect(parsed.response.headers?.['content-type']).toBe('application/problem+json');
    const problem = problemDetails.parse(bodyOf(parsed.response));
    expect(problem).toMatchObject({ status: 400, title: 'Invalid body' });
    expect(problem.errors?.map((e) => e.pointer).sort()).toEqual([
      '/body/extra',
      '/body/items/1',
      '/body/verdict',
    ]);
    expect(problem.errors?.every((e) => e.detail.length > 0)).toBe(true);
  });

  it('points at the body itself when it is not JSON', () => {
    const parsed = jsonBody({ body: '{nope', isBase64Encoded: false }, schema, '{ verdict }');
    if (parsed.ok) throw new Error('expected a problem');
    expect(bodyOf(parsed.response)).toMatchObject({
      errors: [{ pointer: '/body', detail: 'expected JSON: { verdict }' }],
    });
  });

  it('points at query and path parameters, keeping a detail given in words', () => {
    const q = queryParams(
      { queryStringParameters: { limit: '0' } },
      z.object({ limit: z.coerce.number().int().min(1) }),
      'limit is 1 or more',
    );
    if (q.ok) throw new Error('expected a problem');
    expect(bodyOf(q.response)).toMatchObject({
      title: 'Invalid query',
      detail: 'limit is 1 or more',
      errors: [{ pointer: '/query/limit' }],
    });
    const p = pathParams(
      { pathParameters: { name: 'Not Kebab' } },
      z.object({ name: z.string().regex(/^[a-z-]+$/) }),
    );
    if (p.ok) throw new Error('expected a problem');
    expect(bodyOf(p.response)).toMatchObject({ status: 400, errors: [{ pointer: '/path/name' }] });
  });

  it('passes valid input through', () => {
    expect(jsonBody({ body: '{"verdict":"approve"}', isBase64Encoded: false }, schema, '{}')).toEqual({
      ok: true,
      value: { verdict: 'approve' },
    });
  });

  it('escapes JSON Pointer tokens and points at the object for a refinement of the whole', () => {
    const refined = z.object({ 'a/b': z.string(), 'c~d': z.string() }).refine(() => false, 'never');
    const issues = refined.safeParse({ 'a/b': 1, 'c~d': 'x' }).error?.issues ?? [];
    expect(fieldErrors('query', issues).map((e) => e.pointer)).toEqual(['/query/a~1b']);
    const whole = refined.safeParse({ 'a/b': 'x', 'c~d': 'x' }).error?.issues ?? [];
    expect(fieldErrors('body', whole)).toEqual([{ pointer: '/body', detail: 'never' }]);
    const tilde = z.object({ 'c~d': z.string() }).safeParse({}).error?.issues ?? [];
    expect(fieldErrors('body', tilde).map((e) => e.pointer)).toEqual(['/body/c~0d']);
  });
});
