import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { TokenVerifier } from '../../../shared/adapters/auth/cognito-token.verifier.ts';
import { httpApiCors, routeKeyOf, routeThrottle } from '../../definitions/http-api.definition.ts';
import type { RouteDefinition, RouteThrottle } from '../../definitions/resource.types.ts';
import { FunctionTimeoutError, type LocalFunction } from '../lambda/local-function.ts';
import { compileRoutes } from './route-matcher.ts';
import { RouteThrottles } from './route-throttle.ts';

export type LocalHttpApiOptions = {
  readonly routes: readonly RouteDefinition[];
  readonly fn: (functionId: string) => LocalFunction;
  readonly verifyToken: TokenVerifier;
  readonly account: string;
  readonly corsOrigins: readonly string[];
  /**
   * The stage's default route throttle (routes may set their own); requests over it get API Gateway's 429.
   * Off when absent.
   */
  readonly throttle?: RouteThrottle;
  /** Clock of the throttle's token buckets, in milliseconds. @default Date.now */
  readonly now?: () => number;
  readonly log?: (line: string) => void;
};

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const TEXT_TYPES = /^(text\/|application\/(json|.*\+json|xml|x-www-form-urlencoded|x-ndjson))/;

/**
 * API Gateway HTTP API (payload format 2.0) in front of the local functions: route selection from the
 * shared route definitions, a JWT authorizer that verifies Cognito-shaped tokens, and API Gateway's own
 * responses for what never reaches a function (401, 404, 413, 500, 503).
 */
export class LocalHttpApi {
  private server: Server | undefined;
  private readonly router: ReturnType<typeof compileRoutes>;
  private readonly throttles: RouteThrottles;

  constructor(private readonly o: LocalHttpApiOptions) {
    this.router = compileRoutes(o.routes);
    this.throttles = new RouteThrottles(o.now);
  }

  /** The routes this API serves (for inspection and the local-versus-template test). */
  get routes(): readonly RouteDefinition[] {
    return this.o.routes;
  }

  async listen(port: number): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.o.log?.(`api: ${String(error)}`);
        if (!res.headersSent) json(res, 500, { message: 'Internal Server Error' });
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', resolve);
    });
    const { port: bound } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${bound}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = req.headers.origin;
    const allowOrigin =
      origin && (this.o.corsOrigins.includes('*') || this.o.corsOrigins.includes(origin))
        ? origin
        : undefined;
    if (allowOrigin) {
      res.setHeader('access-control-allow-origin', allowOrigin);
      res.setHeader('access-control-expose-headers', httpApiCors.exposeHeaders.join(','));
      res.setHeader('vary', 'origin');
    }
    if (
      method === 'OPTIONS' &&
      req.headers['access-control-request-method'] &&
      this.router.hasPath(url.pathname)
    ) {
      res.removeHeader('access-control-expose-headers');
      res.writeHead(
        204,
        allowOrigin
          ? {
              'access-control-allow-methods': httpApiCors.allowMethods.join(','),
              'access-control-allow-headers': httpApiCors.allowHeaders.join(','),
              'access-control-max-age': String(httpApiCors.maxAgeSeconds),
            }
          : {},
      );
      res.end();
      return;
    }
    const matched = this.router.match(method, url.pathname);
    if (!matched) return json(res, 404, { message: 'Not Found' });
    if (this.o.throttle) {
      const decision = this.throttles.take(
        routeKeyOf(matched.route),
        routeThrottle(matched.route, this.o.throttle),
      );
      if (!decision.allowed) return tooManyRequests(res, decision.retryAfterSeconds);
    }

    const body = await readBody(req);
    if (body === 'too-large') return json(res, 413, { message: 'Request Entity Too Large' });

    let claims: Readonly<Record<string, unknown>> | undefined;
    if (matched.route.auth !== 'public') {
      const header = req.headers.authorization ?? '';
      const token = header.replace(/^Bearer\s+/i, '');
      if (!token) return json(res, 401, { message: 'Unauthorized' });
      try {
        claims = await this.o.verifyToken(token);
      } catch {
        return json(res, 401, { message: 'Unauthorized' });
      }
    }

    const requestId = randomUUID();
    const event = this.toEvent(
      req,
      url,
      method,
      matched.route,
      matched.pathParameters,
      body,
      claims,
      requestId,
    );
    let result: unknown;
    try {
      result = await this.o.fn(matched.route.functionId).invoke(event);
    } catch (error) {
      this.o.log?.(`api: ${method} ${url.pathname} → ${String(error)}`);
      return error instanceof FunctionTimeoutError
        ? json(res, 503, { message: 'Service Unavailable' })
        : json(res, 500, { message: 'Internal Server Error' });
    }
    this.respond(res, result, requestId);
    this.o.log?.(`api: ${method} ${url.pathname} ${res.statusCode} ${Date.now() - started} ms`);
  }

  /** Payload 2.0 response mapping, including the "no statusCode means 200 JSON" inference. */
  private respond(res: ServerResponse, result: unknown, requestId: string): void {
    res.setHeader('apigw-requestid', requestId);
    if (!isStructured(result)) {
      json(res, 200, result);
      return;
    }
    const r = result as APIGatewayProxyStructuredResultV2;
    for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, String(v));
    if (r.cookies?.length) res.setHeader('set-cookie', r.cookies);
    const payload = r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body;
    res.writeHead(r.statusCode ?? 200);
    res.end(payload);
  }

  private toEvent(
    req: IncomingMessage,
    url: URL,
    method: string,
    route: RouteDefinition,
    pathParameters: Record<string, string>,
    body: Buffer,
    claims: Readonly<Record<string, unknown>> | undefined,
    requestId: string,
  ): APIGatewayProxyEventV2WithJWTAuthorizer {
    const headers: Record<string, string> = {};
    const cookies: string[] = [];
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      if (k === 'cookie') cookies.push(...String(v).split(/;\s*/));
      else headers[k] = Array.isArray(v) ? v.join(',') : v;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
    const contentType = headers['content-type'] ?? '';
    const isText = body.length === 0 || (TEXT_TYPES.test(contentType) && !headers['content-encoding']);
    const now = new Date();
    const routeKey = `${route.method} ${route.path}`;
    const jwtClaims = Object.fromEntries(
      Object.entries(claims ?? {}).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
    );
    return {
      version: '2.0',
      routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      ...(cookies.length ? { cookies } : {}),
      headers,
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
      requestContext: {
        accountId: this.o.account,
        apiId: 'local',
        authorizer: {
          principalId: '',
          integrationLatency: 0,
          jwt: { claims: jwtClaims, scopes: scopesOf(claims) },
        },
        domainName: headers.host ?? 'localhost',
        domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
        http: {
          method,
          path: url.pathname,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId,
        routeKey,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
      ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: !isText,
    } as APIGatewayProxyEventV2WithJWTAuthorizer;
  }
}

const scopesOf = (claims: Readonly<Record<string, unknown>> | undefined): string[] =>
  typeof claims?.scope === 'string' ? claims.scope.split(' ') : [];

const isStructured = (r: unknown): boolean => typeof r === 'object' && r !== null && 'statusCode' in r;

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body ?? null));
};

/**
 * API Gateway's throttling answer, as a problem document that keeps API Gateway's own `message` member, and
 * with Retry-After (when the route's bucket has a token again).
 */
const tooManyRequests = (res: ServerResponse, retryAfterSeconds: number): void => {
  res.writeHead(429, {
    'content-type': 'application/problem+json',
    'retry-after': String(retryAfterSeconds),
  });
  res.end(
    JSON.stringify({
      message: 'Too Many Requests',
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: 'The route is throttled; retry after the Retry-After interval',
    }),
  );
};

const readBody = async (req: IncomingMessage): Promise<Buffer | 'too-large'> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
};
