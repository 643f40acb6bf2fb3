import { createHmac } from 'node:crypto';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { BLIND_INDEX_KEY_ENV, LOCAL_BLIND_INDEX_SECRET_ENV } from '../../runtime/key-environment.ts';

/** Keyed hash of an identifier: equal inputs give equal outputs, and nothing can be read back from it. */
export type BlindIndex = (purpose: string, value: string) => string;

export { LOCAL_BLIND_INDEX_SECRET_ENV };

const DERIVATION_MESSAGE = 'c360/blind-index/v1';

export class BlindIndexKeyUnavailableError extends Error {
  override readonly name = 'BlindIndexKeyUnavailableError';
}

let cached: Promise<Buffer> | undefined;

/**
 * The blind-index key, derived once per execution environment: in AWS as a MAC of a fixed message under the
 * KMS HMAC key (the KMS key never leaves KMS, one call per cold start); on the local stack from the local
 * secret the stack generated.
 */
const deriveKey = (env: NodeJS.ProcessEnv): Promise<Buffer> => {
  const keyId = env[BLIND_INDEX_KEY_ENV];
  if (!keyId) return Promise.reject(new BlindIndexKeyUnavailableError(`${BLIND_INDEX_KEY_ENV} is not set`));
  if (keyId === 'local') {
    const secret = env[LOCAL_BLIND_INDEX_SECRET_ENV];
    if (!secret)
      return Promise.reject(new BlindIndexKeyUnavailableError(`${LOCAL_BLIND_INDEX_SECRET_ENV} is not set`));
    return Promise.resolve(
      createHmac('sha256', Buffer.from(secret, 'base64')).update(DERIVATION_MESSAGE).digest(),
    );
  }
  return new KMSClient({})
    .send(
      new GenerateMacCommand({
        KeyId: keyId,
        MacAlgorithm: 'HMAC_SHA_256',
        Message: Buffer.from(DERIVATION_MESSAGE),
      }),
    )
    .then((r) => {
      if (!r.Mac) throw new BlindIndexKeyUnavailableError('KMS returned no MAC');
      return Buffer.from(r.Mac);
    });
};

/** The blind index of this execution environment (the key is derived on first use and kept). */
export const blindIndex = async (env: NodeJS.ProcessEnv = process.env): Promise<BlindIndex> => {
  cached ??= deriveKey(env).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return blindIndexWithKey(await cached);
};

/** A blind index under an explicit key (tests and benchmarks). 192 bits, base64url. */
export const blindIndexWithKey =
  (key: Buffer): BlindIndex =>
  (purpose, value) =>
    createHmac('sha256', key).update(purpose).update('\u0000').update(value).digest('base64url').slice(0, 32);
