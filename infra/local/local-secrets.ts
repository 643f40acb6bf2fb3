import { randomBytes } from 'node:crypto';
import { readOrCreateJson } from './create-once.ts';

/**
 * Stand-ins for what KMS holds in AWS: the blind-index secret (for the HMAC key) and the wrapping key for
 * envelope encryption. Generated once per machine and kept with the dev keys, git-ignored; `--persist`
 * data is only readable with the same file.
 */
export type LocalSecrets = { readonly blindIndex: string; readonly wrappingKey: string };

export const loadOrCreateLocalSecrets = (file: string): Promise<LocalSecrets> =>
  readOrCreateJson(file, () => ({
    blindIndex: randomBytes(32).toString('base64'),
    wrappingKey: randomBytes(32).toString('base64'),
  }));
