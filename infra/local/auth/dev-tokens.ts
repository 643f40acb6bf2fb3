import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { cognitoIssuer } from '../../../shared/adapters/auth/cognito-token.verifier.ts';
import { ROLES, type Role } from '../../definitions/routes.definition.ts';
import { readOrCreateJson } from '../create-once.ts';

/** The local stack's stand-in user pool: tokens look exactly like this pool's Cognito access tokens. */
export const LOCAL_USER_POOL_ID = 'us-east-1_c360local';
export const LOCAL_APP_CLIENT_ID = 'c360localappclient';
export const LOCAL_MACHINE_CLIENT_ID = 'c360localmachineclient';
const KEY_ID = 'c360-local-dev-key';

export type DevKeys = { readonly privateJwk: JWK; readonly publicJwk: JWK };

/** Loads the dev signing key from `file`, creating it on first use so the CLI can sign tokens too. */
export const loadOrCreateDevKeys = (file: string): Promise<DevKeys> =>
  readOrCreateJson(file, async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    return {
      privateJwk: { ...(await exportJWK(privateKey)), kid: KEY_ID, alg: 'RS256', use: 'sig' },
      publicJwk: { ...(await exportJWK(publicKey)), kid: KEY_ID, alg: 'RS256', use: 'sig' },
    };
  });

export const devJwks = (keys: DevKeys) => ({ keys: [keys.publicJwk as Record<string, unknown>] });

export class UnknownRoleError extends Error {
  override readonly name = 'UnknownRoleError';
}

/** Signs a Cognito-shaped access token for a role (its `cognito:groups`), valid for `ttlSeconds`. */
export const signDevToken = async (
  keys: DevKeys,
  opts: {
    readonly role: string;
    readonly subject?: string;
    readonly ttlSeconds?: number;
    readonly now?: Date;
  },
): Promise<string> => {
  if (!ROLES.includes(opts.role as Role))
    throw new UnknownRoleError(`Unknown role '${opts.role}'; expected one of ${ROLES.join(', ')}`);
  const key = await importJWK(keys.privateJwk, 'RS256');
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const sub = opts.subject ?? `dev-${opts.role}`;
  return new SignJWT({
    'cognito:groups': [opts.role],
    token_use: 'access',
    client_id: LOCAL_APP_CLIENT_ID,
    username: sub,
    scope: 'aws.cognito.signin.user.admin',
    auth_time: now,
    jti: randomUUID(),
    origin_jti: randomUUID(),
    event_id: randomUUID(),
  })
    .setProtectedHeader({ alg: 'RS256', kid: KEY_ID })
    .setIssuer(cognitoIssuer(LOCAL_USER_POOL_ID))
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + (opts.ttlSeconds ?? 3600))
    .sign(key);
};
