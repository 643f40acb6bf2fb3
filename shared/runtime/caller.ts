import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

/** Who is calling, as the JWT authorizer verified them. */
export type Caller = { readonly subject: string; readonly groups: readonly string[] };

/**
 * The caller of an HTTP API route with a JWT authorizer. API Gateway flattens the `cognito:groups` array claim
 * to a string such as "[admin analyst]"; the local API passes it the same way.
 */
export const callerOf = (event: APIGatewayProxyEventV2WithJWTAuthorizer): Caller => {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const groups = String(claims['cognito:groups'] ?? '')
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter((g) => g.length > 0);
  return { subject: String(claims.sub ?? claims.client_id ?? 'unknown'), groups };
};

/** True when the caller belongs to one of `allowed`. */
export const callerIsIn = (caller: Caller, allowed: readonly string[]): boolean =>
  allowed.some((g) => caller.groups.includes(g));
