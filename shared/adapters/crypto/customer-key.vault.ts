import { randomBytes } from 'node:crypto';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  type KeyringNode,
  KmsKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import type { KMS } from '@aws-sdk/client-kms';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PiiVault } from '../../domain/privacy/pii-vault.port.ts';
import { LOCAL_PII_WRAPPING_KEY_ENV, PII_KEY_ENV } from '../../runtime/key-environment.ts';
import { type CustomerKeyStore, dynamoCustomerKeyStore } from '../dynamodb/customer-key.store.ts';

/** The KMS key (ARN) that wraps customer keys in AWS; `local` on the local stack. */
export { LOCAL_PII_WRAPPING_KEY_ENV, PII_KEY_ENV };

export class CustomerKeyUnavailableError extends Error {
  override readonly name = 'CustomerKeyUnavailableError';
}

/** A sealed value that is malformed, tampered with, or sealed for another customer or field. */
export class SealedPiiRefusedError extends Error {
  override readonly name = 'SealedPiiRefusedError';
}

/**
 * Key-committing AES-256-GCM with HKDF and no ECDSA signature. Key commitment (required by the policy below)
 * means a message decrypts under one data key only. The signature of the default suite would only protect
 * against someone who can decrypt but must not encrypt: here the same functions do both, so it would cost
 * ~3 ms per seal and ~100 bytes per value for nothing.
 */
const SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
/** Only key-committing messages are written or read; every message of ours has exactly one data key. */
const { encrypt, decrypt } = buildClient({
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  maxEncryptedDataKeys: 1,
});

const KEY_BYTES = 32;
const KEY_ID_BYTES = 12;
const KEY_PURPOSE = 'c360-customer-key';
const FIELD_KEY_NAMESPACE = 'c360/customer';
const SEALED_VERSION = 'v1';
const SEALED = /^v1:([A-Za-z0-9_-]{16}):([A-Za-z0-9+/]+={0,2})$/;
const MAX_FIELD_BYTES = 64 * 1024;

/** How customer keys are wrapped at rest: a keyring, and its name recorded on the key item for operators. */
export type KeyWrapping = { readonly name: 'kms' | 'raw-aes'; readonly keyring: KeyringNode };

/** In AWS: wrapped by a symmetric KMS key (its key ARN; an alias would not match on decrypt). */
export const kmsKeyWrapping = (keyArn: string, kms?: KMS): KeyWrapping => {
  if (!/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/.test(keyArn))
    throw new CustomerKeyUnavailableError(`${PII_KEY_ENV} must be a KMS key ARN, got '${keyArn}'`);
  return {
    name: 'kms',
    keyring: new KmsKeyringNode({ generatorKeyId: keyArn, ...(kms ? { clientProvider: () => kms } : {}) }),
  };
};

/** On the local stack (and in tests): wrapped by a 32-byte local AES key. */
export const rawAesKeyWrapping = (wrappingKey: Uint8Array): KeyWrapping => {
  if (wrappingKey.byteLength !== KEY_BYTES)
    throw new CustomerKeyUnavailableError(`The local wrapping key must be ${KEY_BYTES} bytes`);
  return {
    name: 'raw-aes',
    keyring: new RawAesKeyringNode({
      keyNamespace: 'c360/local',
      keyName: 'customer-key-wrapping',
      unencryptedMasterKey: new Uint8Array(wrappingKey),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    }),
  };
};

/** The wrapping of this deployment, chosen like the blind index: a KMS key ARN in AWS, `local` locally. */
export const keyWrappingFromEnv = (env: NodeJS.ProcessEnv = process.env): KeyWrapping => {
  const keyId = env[PII_KEY_ENV];
  if (!keyId) throw new CustomerKeyUnavailableError(`${PII_KEY_ENV} is not set`);
  if (keyId !== 'local') return kmsKeyWrapping(keyId);
  const secret = env[LOCAL_PII_WRAPPING_KEY_ENV];
  if (!secret) throw new CustomerKeyUnavailableError(`${LOCAL_PII_WRAPPING_KEY_ENV} is not set`);
  return rawAesKeyWrapping(Buffer.from(secret, 'base64'));
};

export type CustomerKeyVaultOptions = {
  readonly store: CustomerKeyStore;
  readonly wrapping: KeyWrapping;
  /** Unwrapped keys kept in memory: at most this many customers… @default 1000 */
  readonly cacheMaxCustomers?: number;
  /** …each for at most this long, which bounds how long a forgotten key lives on in other instances. @default 5 min */
  readonly cacheMaxAgeMs?: number;
  /** Milliseconds; tests pass their own. @default Date.now */
  readonly clock?: () => number;
  /** Source of key material; tests pass their own. @default crypto.randomBytes */
  readonly randomBytes?: (size: number) => Uint8Array;
};

/**
 * The vault in the deployed function: customer keys in the single table, wrapped as the environment says.
 * Make one per execution environment (module scope), so its key cache outlives an invocation.
 */
export const customerKeyVaultFromEnv = (
  db: DynamoDBDocumentClient,
  tableName: string,
  env: NodeJS.ProcessEnv = process.env,
): PiiVault => {
  const wrapping = keyWrappingFromEnv(env);
  return customerKeyVault({
    store: dynamoCustomerKeyStore(db, tableName, { wrapping: wrapping.name }),
    wrapping,
  });
};

type OpenKey = { readonly keyId: string; readonly keyring: RawAesKeyringNode };

/**
 * Envelope encryption of PII with one data key per customer, through the AWS Encryption SDK.
 *
 * - A customer's key is 32 random bytes, created on their first seal and stored only wrapped (an Encryption
 *   SDK message under the wrapping keyring, context `{ purpose, customerId, keyId }`, checked on unwrap), by
 *   a conditional put: concurrent first seals anywhere converge on the one key that was stored first.
 * - A field value is an Encryption SDK message under a raw AES keyring made from the customer key, context
 *   `{ customerId, field }` (checked on open), written as `v1:<keyId>:<base64>`. The key id tells a value
 *   whose key was destroyed (`open` → undefined) from one that does not authenticate (throws).
 * - Unwrapped keys are cached (LRU, max age), so a batch for one customer unwraps once.
 * - `forget` deletes the stored key. Instances that cached it keep using it for at most the cache max age.
 */
export const customerKeyVault = (opts: CustomerKeyVaultOptions): PiiVault => {
  const { store, wrapping } = opts;
  const random = opts.randomBytes ?? randomBytes;
  const cache = lruCache<OpenKey>(
    opts.cacheMaxCustomers ?? 1000,
    opts.cacheMaxAgeMs ?? 5 * 60_000,
    opts.clock ?? Date.now,
  );
  const inflight = new Map<string, Promise<OpenKey | undefined>>();
  // A load that started before a forget must not put the forgotten key back in the cache.
  let forgets = 0;

  const wrappingContext = (customerId: string, keyId: string) => ({
    purpose: KEY_PURPOSE,
    customerId,
    keyId,
  });

  const fieldKeyring = (keyId: string, key: Uint8Array): OpenKey => {
    // The SDK wants a key that owns its whole ArrayBuffer (Node's small Buffers share a pool).
    const isolated = new Uint8Array(key);
    key.fill(0);
    const keyring = new RawAesKeyringNode({
      keyNamespace: FIELD_KEY_NAMESPACE,
      keyName: keyId,
      unencryptedMasterKey: isolated,
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    });
    // The keyring holds its own copy (a KeyObject); ours need not outlive it.
    isolated.fill(0);
    return { keyId, keyring };
  };

  const fetchKey = async (customerId: string): Promise<OpenKey | undefined> => {
    const stored = await store.get(customerId);
    if (!stored) return undefined;
    let opened: Awaited<ReturnType<typeof decrypt>>;
    try {
      opened = await decrypt(wrapping.keyring, stored.wrapped, { maxBodySize: KEY_BYTES });
    } catch (error) {
      throw new CustomerKeyUnavailableError(`The key of customer ${customerId} could not be unwrapped`, {
        cause: error,
      });
    }
    const { plaintext, messageHeader } = opened;
    if (
      messageHeader.suiteId !== SUITE ||
      plaintext.byteLength !== KEY_BYTES ||
      !contextIs(messageHeader.encryptionContext, wrappingContext(customerId, stored.keyId))
    ) {
      plaintext.fill(0);
      throw new CustomerKeyUnavailableError(`The key stored for customer ${customerId} is not theirs`);
    }
    return fieldKeyring(stored.keyId, plaintext);
  };

  const createKey = async (customerId: string): Promise<OpenKey> => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const keyId = Buffer.from(random(KEY_ID_BYTES)).toString('base64url');
      const key = Buffer.from(random(KEY_BYTES));
      const { result } = await encrypt(wrapping.keyring, key, {
        encryptionContext: wrappingContext(customerId, keyId),
        suiteId: SUITE,
        plaintextLength: KEY_BYTES,
      });
      const created = fieldKeyring(keyId, key);
      if (await store.putIfAbsent(customerId, { keyId, wrapped: result })) return created;
      // Someone else stored a key first: use theirs.
      const winner = await fetchKey(customerId);
      if (winner) return winner;
    }
    throw new CustomerKeyUnavailableError(`No key could be stored for customer ${customerId}`);
  };

  /** The customer's current key, from the cache or the store; created if absent and `create`. */
  const currentKey = (customerId: string, create: boolean, fresh = false): Promise<OpenKey | undefined> => {
    if (!fresh) {
      const hit = cache.get(customerId);
      if (hit) return Promise.resolve(hit);
    }
    const flight = `${create ? 'create' : 'read'}#${customerId}`;
    const pending = inflight.get(flight);
    if (pending) return pending;
    const startedAt = forgets;
    const loading = (async () => {
      const key = (await fetchKey(customerId)) ?? (create ? await createKey(customerId) : undefined);
      if (key && startedAt === forgets) cache.set(customerId, key);
      return key;
    })().finally(() => {
      if (inflight.get(flight) === loading) inflight.delete(flight);
    });
    inflight.set(flight, loading);
    return loading;
  };

  const sealWith = async (key: OpenKey, customerId: string, field: string, plaintext: string) => {
    const { result } = await encrypt(key.keyring, plaintext, {
      encryptionContext: { customerId, field },
      suiteId: SUITE,
      plaintextLength: Buffer.byteLength(plaintext),
    });
    return `${SEALED_VERSION}:${key.keyId}:${result.toString('base64')}`;
  };

  const parse = (customerId: string, field: string, sealed: string) => {
    const m = SEALED.exec(sealed);
    if (!m?.[1] || !m[2]) throw new SealedPiiRefusedError(`The sealed ${field} is malformed`);
    const message = Buffer.from(m[2], 'base64');
    const claimed = peekEncryptionContext(message);
    if (!claimed) throw new SealedPiiRefusedError(`The sealed ${field} is malformed`);
    // Unauthenticated until decrypted; read only to refuse a value of another customer or field loudly
    // instead of reporting it as erased.
    if (!contextIs(claimed, { customerId, field }))
      throw new SealedPiiRefusedError(`The sealed value is not the ${field} of customer ${customerId}`);
    return { keyId: m[1], message };
  };

  const openWith = async (key: OpenKey, customerId: string, field: string, message: Buffer) => {
    let opened: Awaited<ReturnType<typeof decrypt>>;
    try {
      opened = await decrypt(key.keyring, message, { maxBodySize: MAX_FIELD_BYTES });
    } catch (error) {
      throw new SealedPiiRefusedError(`The sealed ${field} does not authenticate`, { cause: error });
    }
    const { plaintext, messageHeader } = opened;
    if (messageHeader.suiteId !== SUITE || !contextIs(messageHeader.encryptionContext, { customerId, field }))
      throw new SealedPiiRefusedError(`The sealed value is not the ${field} of customer ${customerId}`);
    return plaintext.toString('utf8');
  };

  /** The key a value was sealed under, if it still exists (a cached key of another id is re-read once). */
  const keyFor = async (customerId: string, keyId: string): Promise<OpenKey | undefined> => {
    let key = await currentKey(customerId, false);
    if (key && key.keyId !== keyId) key = await currentKey(customerId, false, true);
    return key?.keyId === keyId ? key : undefined;
  };

  const open: PiiVault['open'] = async (customerId, field, sealed) => {
    const { keyId, message } = parse(customerId, field, sealed);
    const key = await keyFor(customerId, keyId);
    return key ? openWith(key, customerId, field, message) : undefined;
  };

  return {
    seal: async (customerId, field, plaintext) => {
      const key = await currentKey(customerId, true);
      if (!key) throw new CustomerKeyUnavailableError(`No key for customer ${customerId}`);
      return sealWith(key, customerId, field, plaintext);
    },
    open,
    sealMany: async (customerId, fields) => {
      const key = await currentKey(customerId, true);
      if (!key) throw new CustomerKeyUnavailableError(`No key for customer ${customerId}`);
      const entries = Object.entries(fields);
      const sealed = await Promise.all(entries.map(([f, v]) => sealWith(key, customerId, f, v)));
      return Object.fromEntries(entries.map(([f], i) => [f, sealed[i] ?? '']));
    },
    openMany: async (customerId, sealed) => {
      const entries = Object.entries(sealed);
      const opened = await Promise.all(entries.map(([f, s]) => open(customerId, f, s)));
      return Object.fromEntries(entries.map(([f], i) => [f, opened[i]]));
    },
    forget: async (customerId) => {
      forgets++;
      cache.delete(customerId);
      inflight.delete(`create#${customerId}`);
      inflight.delete(`read#${customerId}`);
      await store.delete(customerId);
      // A load racing the delete may have cached (or be about to hand out) the key in between.
      forgets++;
      cache.delete(customerId);
      inflight.delete(`create#${customerId}`);
      inflight.delete(`read#${customerId}`);
    },
  };
};

/** Whether an encryption context holds exactly these pairs (the SDK adds none for unsigned suites). */
const contextIs = (actual: Readonly<Record<string, string>>, expected: Readonly<Record<string, string>>) => {
  const keys = Object.keys(actual);
  return (
    keys.length === Object.keys(expected).length &&
    keys.every((k) => Object.hasOwn(expected, k) && actual[k] === expected[k])
  );
};

/**
 * The encryption context in the header of an Encryption SDK message (format v2: version 0x02, suite id 2
 * bytes, message id 32 bytes, then the context: length, count, length-prefixed UTF-8 key/value pairs).
 * Not authenticated: only for telling a misplaced value from an erased one before any key is fetched.
 */
export const peekEncryptionContext = (message: Uint8Array): Record<string, string> | undefined => {
  const buf = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const start = 1 + 2 + 32;
  if (buf.length < start + 2 || buf[0] !== 0x02) return undefined;
  const end = start + 2 + buf.readUInt16BE(start);
  if (end > buf.length) return undefined;
  const context: Record<string, string> = {};
  if (end === start + 2) return context;
  let at = start + 2;
  const take = (): string | undefined => {
    if (at + 2 > end) return undefined;
    const length = buf.readUInt16BE(at);
    at += 2;
    if (at + length > end) return undefined;
    const s = buf.toString('utf8', at, at + length);
    at += length;
    return s;
  };
  if (at + 2 > end) return undefined;
  const count = buf.readUInt16BE(at);
  at += 2;
  for (let i = 0; i < count; i++) {
    const k = take();
    const v = take();
    if (k === undefined || v === undefined) return undefined;
    context[k] = v;
  }
  return at === end ? context : undefined;
};

/** A small LRU with a max age per entry (insertion order of a Map is the recency order). */
const lruCache = <V>(maxEntries: number, maxAgeMs: number, clock: () => number) => {
  const entries = new Map<string, { readonly value: V; readonly expiresAt: number }>();
  return {
    get: (k: string): V | undefined => {
      const e = entries.get(k);
      if (!e) return undefined;
      entries.delete(k);
      if (e.expiresAt <= clock()) return undefined;
      entries.set(k, e);
      return e.value;
    },
    set: (k: string, value: V): void => {
      entries.delete(k);
      entries.set(k, { value, expiresAt: clock() + maxAgeMs });
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
    },
    delete: (k: string): void => {
      entries.delete(k);
    },
  };
};
