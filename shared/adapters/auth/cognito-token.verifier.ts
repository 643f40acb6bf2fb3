import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { JwksCache } from 'aws-jwt-verify/jwk';

export type VerifiedClaims = Readonly<Record<string, unknown>> & {
  readonly sub: string;
  readonly 'cognito:groups'?: readonly string[];
};

export type TokenVerifier = (token: string) => Promise<VerifiedClaims>;

export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';
}

/** The issuer Cognito writes into tokens of a user pool. */
export const cognitoIssuer = (userPoolId: string): string => {
  const region = userPoolId.split('_')[0];
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
};

/**
 * Verifies a Cognito access token (signature, issuer, expiry, `token_use`, `client_id`) the way API
 * Gateway's JWT authorizer does. The local stack uses it with its own JWKS; nothing else differs.
 */
export const cognitoTokenVerifier = (opts: {
  readonly userPoolId: string;
  readonly clientIds: readonly string[];
  /** A JWKS to trust without fetching (the local stack's dev keys). */
  readonly jwks?: { readonly keys: readonly Record<string, unknown>[] };
  readonly jwksCache?: JwksCache;
}): TokenVerifier => {
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: opts.userPoolId, tokenUse: 'access', clientId: [...opts.clientIds] },
    opts.jwksCache ? { jwksCache: opts.jwksCache } : undefined,
  );
  if (opts.jwks) verifier.cacheJwks(opts.jwks as unknown as Parameters<typeof verifier.cacheJwks>[0]);
  return async (token) => {
    try {
      return (await verifier.verify(token)) as unknown as VerifiedClaims;
    } catch (error) {
      throw new TokenRejectedError(error instanceof Error ? error.message : 'invalid token');
    }
  };
};
