import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOrCreateJson } from '../../../infra/local/create-once.ts';

describe('Local stack: create-once files', () => {
  it('lets concurrent creators agree on one content instead of overwriting each other', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'c360-once-')), 'nested', 'keys.json');
    const slow = (value: string) => () =>
      new Promise<{ value: string }>((r) => setTimeout(() => r({ value }), 20));
    const results = await Promise.all([readOrCreateJson(file, slow('a')), readOrCreateJson(file, slow('b'))]);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { value: string };
    expect(results).toEqual([stored, stored]);
    expect(await readOrCreateJson(file, () => ({ value: 'c' }))).toEqual(stored);
  });
});
