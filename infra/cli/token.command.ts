import { parseArgs } from 'node:util';
import { ROLES } from '../definitions/routes.definition.ts';
import { loadOrCreateDevKeys, signDevToken } from '../local/auth/dev-tokens.ts';
import { DEV_KEYS_FILE } from '../local/local-paths.ts';
import type { Command } from './c360.cli.ts';

export const tokenCommand: Command = {
  summary: 'Print a dev access token for the local stack',
  usage: [
    'Usage: npx c360 token --role <role> [--subject <id>] [--ttl <seconds>]',
    '',
    `  --role     one of ${ROLES.join(', ')}`,
    '  --subject  the token’s sub (default dev-<role>)',
    '  --ttl      lifetime in seconds (default 3600)',
    '',
    'Signed with the local stack’s dev key (.c360/dev-keys.json); only the local stack accepts it.',
    'Use: curl -H "authorization: Bearer $(npx c360 token --role admin)" http://127.0.0.1:3000/…',
  ].join('\n'),
  run: async (args) => {
    const { values } = parseArgs({
      args: [...args],
      options: {
        role: { type: 'string' },
        subject: { type: 'string' },
        ttl: { type: 'string', default: '3600' },
      },
    });
    if (!values.role) throw new Error(`--role is required (${ROLES.join(', ')})`);
    const ttlSeconds = Number(values.ttl);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
      throw new Error('--ttl must be a positive whole number of seconds');
    const keys = await loadOrCreateDevKeys(DEV_KEYS_FILE);
    console.log(
      await signDevToken(keys, {
        role: values.role,
        ttlSeconds,
        ...(values.subject ? { subject: values.subject } : {}),
      }),
    );
    return 0;
  },
};
