import { randomBytes } from 'node:crypto';
import { customerKeyVault, rawAesKeyWrapping } from '../../shared/adapters/crypto/customer-key.vault.ts';
import type {
  CustomerKeyStore,
  WrappedCustomerKey,
} from '../../shared/adapters/dynamodb/customer-key.store.ts';
import type { Bench } from './run.bench.ts';

/** Keys in a map: the figures are the Encryption SDK's cost, without any DynamoDB round trip. */
const memoryStore = (): CustomerKeyStore => {
  const keys = new Map<string, WrappedCustomerKey>();
  return {
    get: async (id) => keys.get(id),
    putIfAbsent: async (id, key) => {
      if (keys.has(id)) return false;
      keys.set(id, key);
      return true;
    },
    delete: async (id) => {
      keys.delete(id);
    },
  };
};

const time = async (label: string, n: number, fn: (i: number) => Promise<unknown>) => {
  for (let i = 0; i < Math.min(200, n); i++) await fn(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const us = ((performance.now() - t0) * 1000) / n;
  console.log(`  ${label.padEnd(52)} ${us.toFixed(0).padStart(6)} µs`);
};

export const piiVaultBench: Bench = {
  summary: 'PII vault: cost of seal/open per field, of a first seal and of a cold open (raw AES wrapping)',
  run: async () => {
    const wrapping = rawAesKeyWrapping(randomBytes(32));
    const store = memoryStore();
    const vault = customerKeyVault({ store, wrapping });
    const email = 'alice.liddell@example.com';
    const sealed = await vault.seal('cus_0123456789abcdef01234567', 'email', email);
    console.log(`  sealed ${email.length}-character e-mail: ${sealed.length} characters`);
    await time('seal, key cached', 3000, () => vault.seal('cus_0123456789abcdef01234567', 'email', email));
    await time('open, key cached', 3000, () => vault.open('cus_0123456789abcdef01234567', 'email', sealed));
    const profile = { email, phone: '+8613800138000', name: 'Alice Liddell', city: 'Oxford', zip: 'OX1 1DP' };
    await time('sealMany of 5 fields, key cached', 500, () =>
      vault.sealMany('cus_0123456789abcdef01234567', profile),
    );
    await time('first seal of a new customer (create + wrap key)', 1000, (i) =>
      vault.seal(`cus_new_${i}`, 'email', email),
    );
    await time('open in a cold instance (unwrap key + open)', 1000, () =>
      customerKeyVault({ store, wrapping }).open('cus_0123456789abcdef01234567', 'email', sealed),
    );
  },
};
