import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, GenerateDataKeyCommand, KMS, KMSClient } from '@aws-sdk/client-kms';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  type PutCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CustomerKeyUnavailableError,
  customerKeyVault,
  customerKeyVaultFromEnv,
  keyWrappingFromEnv,
  kmsKeyWrapping,
  LOCAL_PII_WRAPPING_KEY_ENV,
  PII_KEY_ENV,
  peekEncryptionContext,
  rawAesKeyWrapping,
  SealedPiiRefusedError,
} from '../../../shared/adapters/crypto/customer-key.vault.ts';
import {
  customerKeyItemKey,
  dynamoCustomerKeyStore,
} from '../../../shared/adapters/dynamodb/customer-key.store.ts';
import type { PiiVault } from '../../../shared/domain/privacy/pii-vault.port.ts';

const TABLE = 'customers';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * The single table as a map behind a mocked document client, with the conditional put DynamoDB does.
 * `holdGets(n)` makes the next n reads wait for each other, to force a race deterministically.
 */
const fakeTable = () => {
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'eu-west-1', credentials: CREDENTIALS }),
  );
  const mock = mockClient(db);
  const items = new Map<string, Record<string, unknown>>();
  const id = (k: Record<string, unknown>) => `${String(k.pk)}|${String(k.sk)}`;
  let held: { readonly count: number; readonly release: (() => void)[] } | undefined;
  mock.on(GetCommand).callsFake(async (input: GetCommandInput) => {
    const barrier = held;
    if (barrier)
      await new Promise<void>((resolve) => {
        barrier.release.push(resolve);
        if (barrier.release.length >= barrier.count) {
          held = undefined;
          for (const r of barrier.release) r();
        }
      });
    const item = items.get(id(input.Key ?? {}));
    return { Item: item ? { ...item } : undefined };
  });
  mock.on(PutCommand).callsFake(async (input: PutCommandInput) => {
    const key = id(input.Item ?? {});
    if (input.ConditionExpression === 'attribute_not_exists(pk)' && items.has(key))
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    items.set(key, { ...input.Item });
    return {};
  });
  mock.on(DeleteCommand).callsFake(async (input: { Key?: Record<string, unknown> }) => {
    items.delete(id(input.Key ?? {}));
    return {};
  });
  return {
    db,
    items,
    gets: () => mock.commandCalls(GetCommand).length,
    puts: () => mock.commandCalls(PutCommand).length,
    holdGets: (count: number) => {
      held = { count, release: [] };
    },
  };
};

const WRAPPING_KEY = randomBytes(32);

const vaultOn = (
  table: ReturnType<typeof fakeTable>,
  extra: Partial<Parameters<typeof customerKeyVault>[0]> = {},
): PiiVault =>
  customerKeyVault({
    store: dynamoCustomerKeyStore(table.db, TABLE, { wrapping: 'raw-aes' }),
    wrapping: rawAesKeyWrapping(WRAPPING_KEY),
    ...extra,
  });

const keyIdOf = (sealed: string) => sealed.split(':')[1];
const messageOf = (sealed: string) => Buffer.from(sealed.split(':')[2] ?? '', 'base64');

describe('Customer key vault (raw AES wrapping)', () => {
  it('opens what it sealed, for any text, and the sealed form reveals neither the value nor its key', async () => {
    const table = fakeTable();
    const vault = vaultOn(table);
    for (const value of ['alice@example.com', '张伟', '', 'x'.repeat(5000)]) {
      const sealed = await vault.seal('cus_1', 'email', value);
      expect(sealed).toMatch(/^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9+/]+=*$/);
      if (value) expect(messageOf(sealed).includes(Buffer.from(value))).toBe(false);
      expect(await vault.open('cus_1', 'email', sealed)).toBe(value);
      // A cold instance (another Lambda) reads the key from the table.
      expect(await vaultOn(table).open('cus_1', 'email', sealed)).toBe(value);
    }
  });

  it('seals the same value differently every time', async () => {
    const vault = vaultOn(fakeTable());
    const a = await vault.seal('cus_1', 'phone', '+8613800138000');
    const b = await vault.seal('cus_1', 'phone', '+8613800138000');
    expect(a).not.toBe(b);
    expect(await vault.openMany('cus_1', { phone: a })).toEqual({ phone: '+8613800138000' });
    expect(await vault.open('cus_1', 'phone', b)).toBe('+8613800138000');
  });

  it('refuses a value presented as another field or another customer, or altered in any way', async () => {
    const vault = vaultOn(fakeTable());
    await vault.seal('cus_2', 'email', 'bob@example.com');
    const email = await vault.seal('cus_1', 'email', 'alice@example.com');
    await expect(vault.open('cus_1', 'phone', email)).rejects.toBeInstanceOf(SealedPiiRefusedError);
    await expect(vault.open('cus_2', 'email', email)).rejects.toBeInstanceOf(SealedPiiRefusedError);

    // The header claims `phone` (same length) but was authenticated as `email`.
    const message = messageOf(email);
    const at = message.indexOf('email');
    message.write('phone', at);
    const relabelled = `v1:${keyIdOf(email)}:${message.toString('base64')}`;
    expect(peekEncryptionContext(message)).toEqual({ customerId: 'cus_1', field: 'phone' });
    await expect(vault.open('cus_1', 'phone', relabelled)).rejects.toBeInstanceOf(SealedPiiRefusedError);

    const body = messageOf(email);
    body[body.length - 20] = (body[body.length - 20] ?? 0) ^ 1;
    await expect(
      vault.open('cus_1', 'email', `v1:${keyIdOf(email)}:${body.toString('base64')}`),
    ).rejects.toBeInstanceOf(SealedPiiRefusedError);

    for (const bad of ['', 'alice@example.com', `v2:${email.slice(3)}`, email.slice(0, 60), `${email}!`])
      await expect(vault.open('cus_1', 'email', bad)).rejects.toBeInstanceOf(SealedPiiRefusedError);
  });

  it('stores the customer key only wrapped, under CUSTOMER#<id> / KEY', async () => {
    const table = fakeTable();
    const drawn: Buffer[] = [];
    const vault = vaultOn(table, {
      randomBytes: (n) => {
        const b = randomBytes(n);
        drawn.push(Buffer.from(b));
        return b;
      },
    });
    const sealed = await vault.seal('cus_1', 'name', 'Alice Liddell');
    const customerKey = drawn.find((b) => b.length === 32);
    expect(customerKey).toBeDefined();
    expect([...table.items.keys()]).toEqual(['CUSTOMER#cus_1|KEY']);
    const item = table.items.get('CUSTOMER#cus_1|KEY') ?? {};
    expect(item).toMatchObject({
      ...customerKeyItemKey('cus_1'),
      keyId: keyIdOf(sealed),
      wrapping: 'raw-aes',
    });
    expect(item.wrappedKey).toBeInstanceOf(Uint8Array);
    for (const value of Object.values(item)) {
      const bytes = value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(String(value));
      expect(bytes.includes(customerKey ?? Buffer.alloc(32))).toBe(false);
      expect(bytes.includes(Buffer.from(customerKey?.toString('base64') ?? ''))).toBe(false);
    }
  });

  it('refuses a wrapped key moved to another customer (the context is checked, not only decrypted)', async () => {
    const table = fakeTable();
    await vaultOn(table).seal('cus_1', 'email', 'alice@example.com');
    const item = table.items.get('CUSTOMER#cus_1|KEY') ?? {};
    table.items.set('CUSTOMER#cus_2|KEY', { ...item, ...customerKeyItemKey('cus_2') });
    await expect(vaultOn(table).seal('cus_2', 'email', 'x')).rejects.toBeInstanceOf(
      CustomerKeyUnavailableError,
    );
    // A wrapped key under another wrapping key does not open either.
    await expect(
      customerKeyVault({
        store: dynamoCustomerKeyStore(table.db, TABLE, { wrapping: 'raw-aes' }),
        wrapping: rawAesKeyWrapping(randomBytes(32)),
      }).seal('cus_1', 'email', 'x'),
    ).rejects.toBeInstanceOf(CustomerKeyUnavailableError);
  });

  it('converges concurrent first seals in two instances on one key, and one instance asks the table once', async () => {
    const table = fakeTable();
    const [a, b] = [vaultOn(table), vaultOn(table)];
    table.holdGets(2);
    const [fromA, fromB] = await Promise.all([
      a.seal('cus_1', 'email', 'alice@example.com'),
      b.seal('cus_1', 'phone', '+8613800138000'),
    ]);
    expect(table.puts()).toBe(2); // both tried to store a key, one conditional put failed
    expect(table.items.size).toBe(1);
    expect(keyIdOf(fromA)).toBe(keyIdOf(fromB));
    const cold = vaultOn(table);
    expect(await cold.open('cus_1', 'email', fromA)).toBe('alice@example.com');
    expect(await a.open('cus_1', 'phone', fromB)).toBe('+8613800138000');
    expect(await b.open('cus_1', 'email', fromA)).toBe('alice@example.com');

    const c = vaultOn(table);
    const before = table.gets();
    const sealed = await Promise.all(Array.from({ length: 10 }, (_, i) => c.seal('cus_9', `f${i}`, `v${i}`)));
    expect(table.gets() - before).toBe(1);
    expect(new Set(sealed.map(keyIdOf)).size).toBe(1);
  });

  it('forgets a customer: old values open to undefined everywhere, and new data gets a new key', async () => {
    const table = fakeTable();
    let now = 0;
    const vault = vaultOn(table, { clock: () => now });
    const other = vaultOn(table, { clock: () => now });
    const old = await vault.sealMany('cus_1', { email: 'alice@example.com', phone: '+8613800138000' });
    const kept = await vault.seal('cus_2', 'email', 'bob@example.com');
    expect(await other.open('cus_1', 'email', old.email ?? '')).toBe('alice@example.com');

    await vault.forget('cus_1');
    expect(table.items.has('CUSTOMER#cus_1|KEY')).toBe(false);
    expect(await vault.openMany('cus_1', old)).toEqual({ email: undefined, phone: undefined });
    expect(await vaultOn(table).open('cus_1', 'email', old.email ?? '')).toBeUndefined();
    expect(await vault.open('cus_2', 'email', kept)).toBe('bob@example.com');
    await vault.forget('cus_1'); // idempotent

    // Another instance that had the key cached keeps it for at most the cache's max age.
    now += 5 * 60_000;
    expect(await other.open('cus_1', 'email', old.email ?? '')).toBeUndefined();

    const fresh = await vault.seal('cus_1', 'email', 'alice@new.example.com');
    expect(keyIdOf(fresh)).not.toBe(keyIdOf(old.email ?? ''));
    expect(await other.open('cus_1', 'email', fresh)).toBe('alice@new.example.com');
    expect(await vault.open('cus_1', 'email', old.email ?? '')).toBeUndefined();
  });

  it('an instance whose cached key predates a re-created key reads the new key instead of giving up', async () => {
    const table = fakeTable();
    const [a, b] = [vaultOn(table), vaultOn(table)];
    await a.seal('cus_1', 'email', 'alice@example.com'); // a caches key 1
    await b.forget('cus_1');
    const fresh = await b.seal('cus_1', 'email', 'alice@new.example.com'); // key 2
    expect(await a.open('cus_1', 'email', fresh)).toBe('alice@new.example.com');
  });

  it('keeps at most the configured number of customers, each for at most the max age', async () => {
    const table = fakeTable();
    let now = 0;
    const vault = vaultOn(table, { cacheMaxCustomers: 2, cacheMaxAgeMs: 1000, clock: () => now });
    const sealed = new Map<string, string>();
    for (const c of ['a', 'b', 'c']) sealed.set(c, await vault.seal(c, 'name', c));
    const opens = async (c: string) => {
      const before = table.gets();
      expect(await vault.open(c, 'name', sealed.get(c) ?? '')).toBe(c);
      return table.gets() - before;
    };
    expect(await opens('c')).toBe(0);
    expect(await opens('b')).toBe(0);
    expect(await opens('a')).toBe(1); // evicted by c; now evicts c (b was used more recently)
    expect(await opens('b')).toBe(0);
    expect(await opens('c')).toBe(1);
    now += 1000;
    expect(await opens('c')).toBe(1);
  });

  it('costs one key read for a batch of one customer', async () => {
    const table = fakeTable();
    const fields = { email: 'alice@example.com', phone: '+8613800138000', name: 'Alice', city: 'Wonderland' };
    const sealed = await vaultOn(table).sealMany('cus_1', fields);
    const cold = vaultOn(table);
    const before = table.gets();
    expect(await cold.openMany('cus_1', sealed)).toEqual(fields);
    expect(table.gets() - before).toBe(1);
  });
});

describe('Customer key vault (KMS wrapping)', () => {
  const kms = mockClient(KMSClient);
  const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  afterEach(() => kms.reset());

  it('wraps each customer key with KMS under its customer id, and unwraps it once per instance', async () => {
    const dataKey = randomBytes(32);
    const blob = randomBytes(184);
    // Fresh copies: the SDK zeroes the plaintext data keys it is given once used.
    kms
      .on(GenerateDataKeyCommand)
      .callsFake(() => ({ KeyId: ARN, Plaintext: new Uint8Array(dataKey), CiphertextBlob: blob }));
    kms.on(DecryptCommand).callsFake(() => ({ KeyId: ARN, Plaintext: new Uint8Array(dataKey) }));
    const client = new KMS({ region: 'eu-west-1', credentials: CREDENTIALS });
    const table = fakeTable();
    const vaultWith = () =>
      customerKeyVault({
        store: dynamoCustomerKeyStore(table.db, TABLE, { wrapping: 'kms' }),
        wrapping: kmsKeyWrapping(ARN, client),
      });
    const sealed = await vaultWith().sealMany('cus_1', { email: 'alice@example.com', name: 'Alice' });
    const keyId = keyIdOf(sealed.email ?? '');
    const context = { purpose: 'c360-customer-key', customerId: 'cus_1', keyId };

    const generated = kms.commandCalls(GenerateDataKeyCommand);
    expect(generated).toHaveLength(1);
    expect(generated[0]?.args[0].input).toMatchObject({ KeyId: ARN, EncryptionContext: context });
    expect(table.items.get('CUSTOMER#cus_1|KEY')).toMatchObject({ wrapping: 'kms' });

    const cold = vaultWith();
    expect(await cold.openMany('cus_1', sealed)).toEqual({ email: 'alice@example.com', name: 'Alice' });
    expect(await cold.open('cus_1', 'email', sealed.email ?? '')).toBe('alice@example.com');
    const decrypted = kms.commandCalls(DecryptCommand);
    expect(decrypted).toHaveLength(1);
    expect(decrypted[0]?.args[0].input).toMatchObject({ KeyId: ARN, EncryptionContext: context });
    expect(Buffer.from(decrypted[0]?.args[0].input.CiphertextBlob ?? []).equals(blob)).toBe(true);
  });

  it('accepts only a key ARN (an alias would not match on decrypt)', () => {
    expect(() => kmsKeyWrapping('alias/c360/dev/pii')).toThrow(CustomerKeyUnavailableError);
    expect(kmsKeyWrapping(ARN).name).toBe('kms');
  });
});

describe('Customer key vault from the environment', () => {
  it('wraps with KMS given a key ARN, with the local key given `local`, and refuses anything missing', () => {
    const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(keyWrappingFromEnv({ [PII_KEY_ENV]: ARN }).name).toBe('kms');
    const local = { [PII_KEY_ENV]: 'local', [LOCAL_PII_WRAPPING_KEY_ENV]: WRAPPING_KEY.toString('base64') };
    expect(keyWrappingFromEnv(local).name).toBe('raw-aes');
    expect(() => keyWrappingFromEnv({})).toThrow(CustomerKeyUnavailableError);
    expect(() => keyWrappingFromEnv({ [PII_KEY_ENV]: 'local' })).toThrow(CustomerKeyUnavailableError);
    expect(() =>
      keyWrappingFromEnv({ [PII_KEY_ENV]: 'local', [LOCAL_PII_WRAPPING_KEY_ENV]: 'c2hvcnQ=' }),
    ).toThrow(CustomerKeyUnavailableError);
  });

  it('builds a working vault on the table from the local settings', async () => {
    const table = fakeTable();
    const vault = customerKeyVaultFromEnv(table.db, TABLE, {
      [PII_KEY_ENV]: 'local',
      [LOCAL_PII_WRAPPING_KEY_ENV]: WRAPPING_KEY.toString('base64'),
    });
    const sealed = await vault.seal('cus_1', 'email', 'alice@example.com');
    expect(await vaultOn(table).open('cus_1', 'email', sealed)).toBe('alice@example.com');
  });
});
