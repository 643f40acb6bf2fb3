import { afterAll, beforeAll } from 'vitest';
import { loadOrCreateDevKeys, signDevToken } from '../../infra/local/auth/dev-tokens.ts';
import { DEV_KEYS_FILE } from '../../infra/local/local-paths.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import type { Role } from '../../shared/domain/access/access-policy.ts';

export type LocalStackSession = {
  /** The running stack (after `beforeAll`). */
  readonly stack: () => LocalStack;
  /** A dev token of the role, signed by the local user pool's key. */
  readonly token: (role: Role) => Promise<string>;
};

/** A local stack for the enclosing `describe`: started before its tests, stopped after them. */
export const localStackSession = (): LocalStackSession => {
  let stack: LocalStack | undefined;
  let keys: Awaited<ReturnType<typeof loadOrCreateDevKeys>> | undefined;
  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    keys = await loadOrCreateDevKeys(DEV_KEYS_FILE);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  return {
    stack: () => {
      if (!stack) throw new Error('the local stack is not running');
      return stack;
    },
    token: async (role) => {
      if (!keys) throw new Error('the local stack is not running');
      return signDevToken(keys, { role });
    },
  };
};
