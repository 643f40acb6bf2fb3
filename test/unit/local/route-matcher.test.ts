import { describe, expect, it } from 'vitest';
import type { RouteDefinition } from '../../../infra/definitions/resource.types.ts';
import { compileRoutes } from '../../../infra/local/api/route-matcher.ts';

const route = (method: RouteDefinition['method'], path: string): RouteDefinition => ({
  id: `${method}${path}`,
  method,
  path,
  functionId: 'F',
  auth: 'public',
});

describe('Local API: route selection', () => {
  const router = compileRoutes([
    route('GET', '/customers/{id}'),
    route('GET', '/customers/search'),
    route('GET', '/files/{path+}'),
    route('POST', '/customers/{id}'),
  ]);

  it('prefers the most specific route, as API Gateway does', () => {
    expect(router.match('GET', '/customers/search')?.route.path).toBe('/customers/search');
    expect(router.match('GET', '/customers/c-1')).toMatchObject({
      route: { path: '/customers/{id}' },
      pathParameters: { id: 'c-1' },
    });
  });

  it('matches greedy variables across segments and decodes parameters', () => {
    expect(router.match('GET', '/files/a/b%20c.csv')?.pathParameters).toEqual({ path: 'a/b c.csv' });
  });

  it('distinguishes methods and rejects unknown paths', () => {
    expect(router.match('POST', '/customers/c-1')?.route.method).toBe('POST');
    expect(router.match('DELETE', '/customers/c-1')).toBeUndefined();
    expect(router.match('GET', '/customers/c-1/extra')).toBeUndefined();
    expect(router.hasPath('/customers/c-1')).toBe(true);
  });
});
