import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { dynamoSourceRepository } from '../../shared/adapters/dynamodb/source.repository.ts';
import { assertSourceName, formatWriteKey } from '../../shared/domain/ingest/source.ts';
import type { Command } from './c360.cli.ts';
import { cliContext } from './cli-context.ts';

export const newWriteKey = (): string => formatWriteKey(randomBytes(24).toString('base64url'));

export const sourceCommand: Command = {
  summary: 'Manage sources and their write keys (create, list)',
  usage: [
    'Usage: npx c360 source create <name>   create a source (or add a key to it) and print its new write key',
    '       npx c360 source list            list sources',
    '',
    'The write key is printed once and stored only as a hash. Send events with it as the HTTP Basic user name:',
    '  curl -u "$KEY:" -H "content-type: application/json" -d \'{"userId":"u1","event":"Signed Up"}\' \\',
    '       http://127.0.0.1:3000/v1/track',
  ].join('\n'),
  run: async (args) => {
    const { positionals } = parseArgs({ args: [...args], allowPositionals: true, options: {} });
    const [action, name] = positionals;
    const ctx = cliContext();
    const repo = dynamoSourceRepository(ctx.db, ctx.tableName);
    if (action === 'create') {
      if (!name) throw new Error('usage: npx c360 source create <name>');
      assertSourceName(name);
      const key = newWriteKey();
      await repo.addWriteKey({ name, createdAt: new Date().toISOString() }, key);
      console.log(key);
      return 0;
    }
    if (action === 'list') {
      for (const s of await repo.list()) console.log(`${s.name}\t${s.createdAt}`);
      return 0;
    }
    throw new Error("expected 'create <name>' or 'list'");
  },
};
