import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  customerKeyVaultFromEnv,
  LOCAL_PII_WRAPPING_KEY_ENV,
  PII_KEY_ENV,
  peekEncryptionContext,
} from '../../shared/adapters/crypto/customer-key.vault.ts';
import type { PiiVault } from '../../shared/domain/privacy/pii-vault.port.ts';
import { startSingleTable } from '../helpers/single-table.ts';

const TABLE = 'pii-erasure';

describe('PII erasure by crypto-shredding, on DynamoDB Local', () => {
  let stop: (() => Promise<void>) | undefined;
  let db: DynamoDBDocumentClient;
  const env = { [PII_KEY_ENV]: 'local', [LOCAL_PII_WRAPPING_KEY_ENV]: randomBytes(32).toString('base64') };
  const newVault = (): PiiVault => customerKeyVaultFromEnv(db, TABLE, env);

  beforeAll(async () => {
    ({ db, stop } = await startSingleTable(TABLE));
  });

  afterAll(async () => {
    await stop?.();
  });

  const scan = async () => {
    const items: Record<string, unknown>[] = [];
    for await (const page of paginateScan({ client: db }, { TableName: TABLE, ConsistentRead: true }))
      items.push(...(page.Items ?? []));
    return items;
  };

  /** Every sealed value in the table that opens, as `customerId/field → plaintext`, trying every vault. */
  const openEverything = async (vault: PiiVault) => {
    const opened = new Map<string, string>();
    for (const item of await scan())
      for (const value of Object.values(item)) {
        if (typeof value !== 'string' || !value.startsWith('v1:')) continue;
        const claimed = peekEncryptionContext(Buffer.from(value.split(':')[2] ?? '', 'base64'));
        const { customerId, field } = claimed ?? {};
        if (!customerId || !field) continue;
        const plaintext = await vault.open(customerId, field, value);
        if (plaintext !== undefined) opened.set(`${customerId}/${field}`, plaintext);
      }
    return opened;
  };

  it('after forget, a raw scan of the table holds nothing that opens for that person, and others are untouched', async () => {
    const people = {
      cus_alice: { email: 'alice@example.com', phone: '+8613800138000', name: 'Alice Liddell' },
      cus_bob: { email: 'bob@example.com', phone: '+8613900139000', name: 'Bob Builder' },
    };
    const writer = newVault();
    const reader = newVault(); // another instance, cache warmed before the erasure
    for (const [customerId, fields] of Object.entries(people)) {
      const sealed = await writer.sealMany(customerId, fields);
      await db.send(
        new PutCommand({
          TableName: TABLE,
          Item: { pk: `CUSTOMER#${customerId}`, sk: 'PROFILE', customerId, ...sealed },
        }),
      );
      expect(await reader.openMany(customerId, sealed)).toEqual(fields);
    }
    expect([...(await openEverything(newVault())).keys()].sort()).toEqual([
      'cus_alice/email',
      'cus_alice/name',
      'cus_alice/phone',
      'cus_bob/email',
      'cus_bob/name',
      'cus_bob/phone',
    ]);

    await writer.forget('cus_alice');

    const items = await scan();
    expect(items.some((i) => i.pk === 'CUSTOMER#cus_alice' && i.sk === 'KEY')).toBe(false);
    const raw = JSON.stringify(items);
    for (const plaintext of Object.values(people.cus_alice)) expect(raw).not.toContain(plaintext);
    const opened = await openEverything(newVault());
    expect([...opened.keys()].filter((k) => k.startsWith('cus_alice/'))).toEqual([]);
    expect(Object.fromEntries(opened)).toEqual({
      'cus_bob/email': 'bob@example.com',
      'cus_bob/phone': '+8613900139000',
      'cus_bob/name': 'Bob Builder',
    });
  });
});
