import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { may, type Permission } from '../domain/access/access-policy.ts';
import { problemResponse } from './http-response.ts';

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

/**
 * The caller, when the access policy gives one of their roles `permission`; otherwise the 403 problem
 * response to return. Every protected handler asks, even though the authorizer checked the groups already.
 */
export const authorize = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  permission: Permission,
):
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly response: APIGatewayProxyStructuredResultV2 } => {
  const caller = callerOf(event);
  return may(caller.groups, permission)
    ? { ok: true, caller }
    : { ok: false, response: problemResponse(403, 'Forbidden', `needs the ${permission} permission`) };
};
