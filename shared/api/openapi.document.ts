import { z } from 'zod';
import { gatewayError, problemDetails } from './problem.schema.ts';

/*
 * The OpenAPI 3.1 description of the HTTP API, generated from the route definitions (method, path, who may
 * call) and, per route id, the zod schemas its handler parses requests with (`RouteDoc`). Nothing here is
 * written twice: parameters, bodies and responses are `z.toJSONSchema` of those schemas (JSON Schema
 * 2020-12, OpenAPI 3.1's own dialect); security comes from `route.auth`; the problem responses follow from
 * what the route parses.
 */

/** The part of a route definition the document needs (`infra/definitions/routes.definition.ts`). */
export type DocumentedRoute = {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly auth: 'public' | { readonly permission: string; readonly groups: readonly string[] };
};

export type ResponseDoc = {
  readonly description: string;
  /** The JSON body; none for an empty or non-JSON response. */
  readonly schema?: z.ZodType;
};

/** Statuses a function answers with a problem besides those the document adds (400, 403). */
export type ProblemStatus = 404 | 409 | 410 | 412 | 413 | 422 | 429 | 503;

/** How one route is documented: the schemas its handler parses with and what it answers. */
export type RouteDoc = {
  readonly summary: string;
  readonly description?: string;
  /** Groups operations (one per bounded context: `customers`, `identity`, `privacy`, …). */
  readonly tag: string;
  /** Constraints the handler checks on path parameters; every `{param}` is documented, a string if not here. */
  readonly path?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** @default 'application/json' */
  readonly bodyMediaType?: string;
  /** A public route whose callers authenticate with a source write key (HTTP Basic user name). */
  readonly writeKey?: true;
  /** Responses that are not problems, by status code: the successes (and e.g. health's 503 report). */
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  /** Other problem responses the handler gives, with when. 400 (invalid input) and 403 are added. */
  readonly problems?: Readonly<Partial<Record<ProblemStatus, string>>>;
  /**
   * A GET answering a list (`items`) without `limit`/`cursor`: why the list stays small. Every other list
   * route is paginated (`shared/api/page.schema.ts`).
   */
  readonly unpaginated?: string;
};

export type OpenApiDocument = {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly [key: string]: unknown;
};

type JsonSchema = { readonly [key: string]: unknown };
type Operation = { readonly [key: string]: unknown };

const PROBLEM_JSON = 'application/problem+json';

/** JSON Schema of a zod schema for the document: the dialect is the document's, so no `$schema`. */
export const jsonSchemaOf = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
  }) as JsonSchema;
  // `$defs` refer to the schema's own root, which is not the OpenAPI document's root.
  if ('$defs' in rest) throw new TypeError('schemas with ids or cycles cannot be inlined into the document');
  return JSON.parse(JSON.stringify(rest)) as JsonSchema;
};

/** `{name}` placeholders of an API Gateway path, in order (`{proxy+}` as `proxy`). */
export const pathParameterNames = (path: string): string[] =>
  [...path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1] ?? '');

const objectProperties = (schema: JsonSchema): [string, JsonSchema, boolean][] => {
  const properties = (schema.properties ?? {}) as Readonly<Record<string, JsonSchema>>;
  const required = new Set((schema.required ?? []) as readonly string[]);
  return Object.entries(properties).map(([name, s]) => [name, s, required.has(name)]);
};

const parameters = (route: DocumentedRoute, doc: RouteDoc): JsonSchema[] => {
  const pathSchemas = new Map(
    doc.path ? objectProperties(jsonSchemaOf(doc.path, 'input')).map(([n, s]) => [n, s] as const) : [],
  );
  const inPath = pathParameterNames(route.path).map((name) => {
    const { description, ...schema } = pathSchemas.get(name) ?? { type: 'string' };
    return { name, in: 'path', required: true, ...(description ? { description } : {}), schema };
  });
  const inQuery = doc.query
    ? objectProperties(jsonSchemaOf(doc.query, 'input')).map(([name, s, required]) => {
        const { description, ...schema } = s;
        return { name, in: 'query', required, ...(description ? { description } : {}), schema };
      })
    : [];
  return [...inPath, ...inQuery];
};

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_JSON]: { schema: { $ref: '#/components/schemas/Problem' } } },
});

const responses = (route: DocumentedRoute, doc: RouteDoc): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(doc.responses) as [string, ResponseDoc][])
    out[status] = {
      description: r.description,
      ...(r.schema ? { content: { 'application/json': { schema: jsonSchemaOf(r.schema, 'output') } } } : {}),
    };
  if (doc.path || doc.query || doc.body)
    out['400'] = problem('Invalid request: `errors` points at each field that is wrong');
  if (route.auth !== 'public') {
    out['401'] = {
      description: 'No valid bearer token (answered by API Gateway)',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/GatewayError' } } },
    };
    out['403'] = problem(`The caller's roles lack ${route.auth.permission}`);
  }
  for (const [status, description] of Object.entries(doc.problems ?? {}))
    out[status] = problem(description ?? '');
  return out;
};

const operation = (route: DocumentedRoute, doc: RouteDoc): Operation => {
  const params = parameters(route, doc);
  return {
    operationId: route.id,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    ...(params.length ? { parameters: params } : {}),
    ...(doc.body
      ? {
          requestBody: {
            required: true,
            content: {
              [doc.bodyMediaType ?? 'application/json']: { schema: jsonSchemaOf(doc.body, 'input') },
            },
          },
        }
      : {}),
    responses: responses(route, doc),
    // Role names as the requirement's list: OpenAPI 3.1 allows roles for non-OAuth schemes.
    security:
      route.auth !== 'public'
        ? [{ bearerJwt: [...route.auth.groups] }]
        : doc.writeKey
          ? [{ writeKey: [] }]
          : [],
    ...(route.auth !== 'public' ? { 'x-c360-permission': route.auth.permission } : {}),
  };
};

export class RouteDocError extends Error {
  override readonly name = 'RouteDocError';
}

/** Routes without a `RouteDoc`: the document leaves them out, and the tests fail on them. */
export const undocumentedRoutes = (
  routes: readonly DocumentedRoute[],
  docs: Readonly<Record<string, RouteDoc | undefined>>,
): string[] => routes.filter((r) => docs[r.id] === undefined).map((r) => r.id);

/**
 * The OpenAPI 3.1 document of `routes` described by `docs` (keyed by route id). Routes without a doc are
 * left out (`undocumentedRoutes` names them); a doc naming a path parameter the route lacks is an error.
 */
export const openApiDocument = (
  routes: readonly DocumentedRoute[],
  docs: Readonly<Record<string, RouteDoc | undefined>>,
  info: OpenApiDocument['info'],
): OpenApiDocument => {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of routes) {
    const doc = docs[route.id];
    if (doc === undefined) continue;
    const unknown = Object.keys(doc.path?.shape ?? {}).filter(
      (p) => !pathParameterNames(route.path).includes(p),
    );
    if (unknown.length > 0)
      throw new RouteDocError(`${route.id}: no path parameter ${unknown.join(', ')} in ${route.path}`);
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route, doc) };
  }
  const tags = [...new Set(routes.flatMap((r) => docs[r.id]?.tag ?? []))].sort();
  return {
    openapi: '3.1.1',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas: {
        Problem: jsonSchemaOf(problemDetails, 'output'),
        GatewayError: jsonSchemaOf(gatewayError, 'output'),
      },
      securitySchemes: {
        bearerJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A Cognito user-pool ID token; the operation lists the groups (roles) that may call it, the access policy decides',
        },
        writeKey: {
          type: 'http',
          scheme: 'basic',
          description: "A source's write key as the user name, no password (Segment's convention)",
        },
      },
    },
  };
};
