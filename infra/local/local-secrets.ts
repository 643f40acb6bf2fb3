import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Stand-ins for what KMS holds in AWS: the blind-index secret (for the HMAC key) and the wrapping key for
 * envelope encryption. Generated once per machine and kept with the dev keys, git-ignored; `--persist`
 * data is only readable with the same file.
 */
export type LocalSecrets = { readonly blindIndex: string; readonly wrappingKey: string };

export const loadOrCreateLocalSecrets = (file: string): LocalSecrets => {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  const secrets: LocalSecrets = {
    blindIndex: randomBytes(32).toString('base64'),
    wrappingKey: randomBytes(32).toString('base64'),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
};
