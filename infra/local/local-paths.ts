import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Git-ignored working directory of the local stack: dev signing keys, caches. */
export const LOCAL_STATE_DIR = join(REPO_ROOT, '.c360');
export const DEV_KEYS_FILE = join(LOCAL_STATE_DIR, 'dev-keys.json');
export const LOCAL_SECRETS_FILE = join(LOCAL_STATE_DIR, 'local-secrets.json');
/** Where a running `npm start` writes its endpoints, so the CLI can reach it. */
export const LOCAL_ENDPOINTS_FILE = join(LOCAL_STATE_DIR, 'endpoints.json');
export const LOCAL_STAGE = 'local';
