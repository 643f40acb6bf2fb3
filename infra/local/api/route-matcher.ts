import type { RouteDefinition } from '../../definitions/resource.types.ts';

export type MatchedRoute = {
  readonly route: RouteDefinition;
  readonly pathParameters: Record<string, string>;
};

type Compiled = {
  readonly route: RouteDefinition;
  readonly regex: RegExp;
  readonly names: readonly string[];
  readonly rank: number;
};

/**
 * API Gateway HTTP API route selection: `{name}` matches one path segment, a trailing `{name+}` the rest;
 * the most specific route wins (fewer variables, then longer literal prefix).
 */
export const compileRoutes = (routes: readonly RouteDefinition[]) => {
  const compiled: Compiled[] = routes.map((route) => {
    const names: string[] = [];
    const pattern = route.path
      .split('/')
      .map((segment) => {
        const greedy = /^\{(\w+)\+\}$/.exec(segment);
        if (greedy?.[1]) {
          names.push(greedy[1]);
          return '(.+)';
        }
        const variable = /^\{(\w+)\}$/.exec(segment);
        if (variable?.[1]) {
          names.push(variable[1]);
          return '([^/]+)';
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    return {
      route,
      regex: new RegExp(`^${pattern}/?$`),
      names,
      rank: names.length * 1000 - route.path.length,
    };
  });
  compiled.sort((a, b) => a.rank - b.rank);
  return {
    match(method: string, path: string): MatchedRoute | undefined {
      for (const c of compiled) {
        if (c.route.method !== method) continue;
        const m = c.regex.exec(path);
        if (!m) continue;
        const pathParameters: Record<string, string> = {};
        c.names.forEach((name, i) => {
          pathParameters[name] = decodeURIComponent(m[i + 1] ?? '');
        });
        return { route: c.route, pathParameters };
      }
      return undefined;
    },
    /** True when some route exists for the path under another method (for CORS preflight). */
    hasPath(path: string): boolean {
      return compiled.some((c) => c.regex.test(path));
    },
  };
};
