/** A channel system allowed to send events, identified by write keys that are stored only hashed. */
export type Source = {
  readonly name: string;
  readonly createdAt: string;
};

export const SOURCE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const WRITE_KEY_PREFIX = 'c360_wk_';

export class InvalidSourceNameError extends Error {
  override readonly name = 'InvalidSourceNameError';
}

export const assertSourceName = (name: string): void => {
  if (!SOURCE_NAME_PATTERN.test(name))
    throw new InvalidSourceNameError(
      `Source name '${name}' must be 1–64 characters of a–z, 0–9 and -, starting with a letter or digit`,
    );
};

/** A write key from 24 random bytes (base64url), recognisable by its prefix in logs and secret scanners. */
export const formatWriteKey = (randomBase64Url: string): string => `${WRITE_KEY_PREFIX}${randomBase64Url}`;
