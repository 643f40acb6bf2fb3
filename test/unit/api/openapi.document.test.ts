import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { c360OpenApiDocument, routeDocs } from '../../../infra/definitions/route-docs.definition.ts';
import { routes } from '../../../infra/definitions/routes.definition.ts';
import { matchDecisionBody } from '../../../shared/api/identity.schemas.ts';
import {
  jsonSchemaOf,
  openApiDocument,
  pathParameterNames,
  RouteDocError,
  undocumentedRoutes,
} from '../../../shared/api/openapi.document.ts';

type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; $ref?: string };
type Parameter = { name: string; in: string; required: boolean; schema: Schema };
type Operation = {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  security: Record<string, string[]>[];
};

const document = c360OpenApiDocument();
// Only the first test fails for a route without docs; the others check the documented ones.
const documented = routes.filter((r) => routeDocs[r.id] !== undefined);
const operationOf = (route: (typeof routes)[number]): Operation | undefined =>
  document.paths[route.path]?.[route.method.toLowerCase()] as Operation | undefined;

describe('OpenAPI document', () => {
  it('documents every route of the route definitions', () => {
    // Add the missing routes to infra/definitions/route-docs.definition.ts.
    expect(undocumentedRoutes(routes, routeDocs)).toEqual([]);
    for (const route of routes) expect(operationOf(route)?.operationId, route.id).toBe(route.id);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    expect(document.openapi).toMatch(/^3\.1\./);
  });

  it('has each path parameter of each route, and its query parameters and body from the handler’s schemas', () => {
    for (const route of documented) {
      const op = operationOf(route);
      const params = op?.parameters ?? [];
      expect(
        params.filter((p) => p.in === 'path').map((p) => p.name),
        route.id,
      ).toEqual(pathParameterNames(route.path));
      const doc = routeDocs[route.id];
      const query = doc?.query ? Object.keys(doc.query.shape) : [];
      expect(
        params.filter((p) => p.in === 'query').map((p) => p.name),
        route.id,
      ).toEqual(query);
      expect(op?.requestBody !== undefined, route.id).toBe(doc?.body !== undefined);
    }
    const decide = routes.find((r) => r.id === 'DecideSuggestedMatch');
    if (!decide) throw new Error('no DecideSuggestedMatch route');
    expect(operationOf(decide)?.requestBody?.content['application/json']?.schema).toEqual(
      jsonSchemaOf(matchDecisionBody, 'input'),
    );
  });

  it('secures protected routes with a bearer JWT of the access policy’s roles, and collect with a write key', () => {
    for (const route of documented) {
      const op = operationOf(route);
      if (route.auth === 'public') {
        expect(op?.security, route.id).toEqual(route.id === 'CollectSegment' ? [{ writeKey: [] }] : []);
        continue;
      }
      expect(op?.security, route.id).toEqual([{ bearerJwt: [...route.auth.groups] }]);
      expect(op?.responses['401'], route.id).toBeDefined();
      expect(op?.responses['403']?.content?.['application/problem+json']?.schema.$ref, route.id).toBe(
        '#/components/schemas/Problem',
      );
    }
  });

  it('answers invalid input with a problem listing field errors, on every route that parses input', () => {
    const problem = (document.components as { schemas: Record<string, Schema> }).schemas.Problem;
    expect(problem?.properties?.errors).toMatchObject({
      type: 'array',
      items: { properties: { pointer: { type: 'string' }, detail: { type: 'string' } } },
    });
    for (const route of documented) {
      const op = operationOf(route);
      const parsesInput = (op?.parameters ?? []).some((p) => p.in === 'query') || op?.requestBody;
      if (parsesInput)
        expect(op?.responses['400']?.content?.['application/problem+json'], route.id).toBeDefined();
    }
  });

  it('paginates every list with limit, cursor and next, unless the doc says why the list stays small', () => {
    for (const route of documented.filter((r) => r.method === 'GET')) {
      const op = operationOf(route);
      const ok = op?.responses['200']?.content?.['application/json']?.schema;
      if (ok?.properties?.items?.type !== 'array' || routeDocs[route.id]?.unpaginated) continue;
      const query = new Map((op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p]));
      expect(query.get('limit')?.schema, route.id).toMatchObject({ type: 'integer', minimum: 1 });
      expect(query.get('cursor')?.schema, route.id).toMatchObject({ type: 'string' });
      expect(ok.properties.next, route.id).toMatchObject({ type: 'string' });
      expect(ok.required ?? [], route.id).not.toContain('next');
    }
  });

  it('leaves an undocumented route out and names it, and refuses a doc for a path parameter the route lacks', () => {
    const extra = { id: 'Extra', method: 'GET', path: '/extra/{id}', auth: 'public' } as const;
    expect(undocumentedRoutes([...documented, extra], routeDocs)).toEqual(['Extra']);
    expect(openApiDocument([extra], {}, document.info).paths).toEqual({});
    expect(() =>
      openApiDocument(
        [extra],
        { Extra: { summary: 's', tag: 't', path: z.object({ name: z.string() }), responses: {} } },
        document.info,
      ),
    ).toThrow(RouteDocError);
  });
});
