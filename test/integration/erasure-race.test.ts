import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CleanedEventV1 } from '../../events/cleaning/cleaned-event.v1.ts';
import {
  customerKeyVaultFromEnv,
  LOCAL_PII_WRAPPING_KEY_ENV,
  PII_KEY_ENV,
} from '../../shared/adapters/crypto/customer-key.vault.ts';
import { dynamoPersonData } from '../../shared/adapters/dynamodb/person-data.store.ts';
import { dynamoProfiles } from '../../shared/adapters/dynamodb/profile.repository.ts';
import { keys } from '../../shared/adapters/dynamodb/table-keys.ts';
import { emptyProfile } from '../../shared/domain/profile/customer-profile.ts';
import { ProfileOfErasedCustomerError } from '../../shared/use-cases/profile/update-profile.use-case.ts';
import { startSingleTable } from '../helpers/single-table.ts';

const TABLE = 'erasure-race';
const AT = '2026-11-23T08:00:00.000Z';

describe('An event in flight during an erasure, on DynamoDB Local', () => {
  let stop: (() => Promise<void>) | undefined;
  let db: DynamoDBDocumentClient;
  const env = { [PII_KEY_ENV]: 'local', [LOCAL_PII_WRAPPING_KEY_ENV]: randomBytes(32).toString('base64') };

  beforeAll(async () => {
    ({ db, stop } = await startSingleTable(TABLE));
  });

  afterAll(async () => {
    await stop?.();
  });

  const customer = async (customerId: string) =>
    db.send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...keys.customer(customerId), customerId, createdAt: AT, version: 1, status: 'active' },
      }),
    );

  let events = 0;
  /** A new event each write, so a write that got through would leave a timeline entry of its own. */
  const event = (): CleanedEventV1 =>
    ({ eventId: `evt-${++events}`, occurredAt: AT, traits: { name: '林小雨' } }) as unknown as CleanedEventV1;

  /** A profile write as the resolver makes it: the profile, the sealed event record, nothing else. */
  const write = (store: ReturnType<typeof dynamoProfiles>, customerId: string, expectedVersion?: number) =>
    store.save({
      expectedVersion,
      profile: {
        ...emptyProfile(customerId, AT),
        version: (expectedVersion ?? 0) + 1,
        traits: {
          name: { value: '林小雨', source: 'pos', channel: 'pos', eventId: 'e1', occurredAt: AT },
        },
      },
      record: { customerId, event: event(), entry: undefined, identifiers: [] },
    });

  const itemsUnder = async (customerId: string) => {
    const out: Record<string, unknown>[] = [];
    for await (const page of paginateScan({ client: db }, { TableName: TABLE, ConsistentRead: true }))
      out.push(...(page.Items ?? []).filter((i) => i.pk === keys.customer(customerId).pk));
    return out.map((i) => String(i.sk)).sort();
  };

  it('refuses a profile write that lands after the tombstone, and keeps writing for everyone else', async () => {
    const vault = customerKeyVaultFromEnv(db, TABLE, env);
    const profiles = dynamoProfiles(db, TABLE, vault);
    const person = dynamoPersonData({ db, tableName: TABLE, vault });
    await customer('cus_erased');
    await customer('cus_other');
    expect(await write(profiles, 'cus_erased')).toBe(true);

    // The erasure tombstones the record while the next event of the person is still on its way.
    await person.tombstone(['cus_erased'], 'dsr-1', AT);
    await expect(write(profiles, 'cus_erased', 1)).rejects.toBeInstanceOf(ProfileOfErasedCustomerError);
    // A first profile (none stored yet) is refused as well: the guard is the record, not the profile.
    await customer('cus_erased_early');
    await person.tombstone(['cus_erased_early'], 'dsr-2', AT);
    await expect(write(profiles, 'cus_erased_early')).rejects.toBeInstanceOf(ProfileOfErasedCustomerError);

    // Nothing was added under the erased customer by the refused write: the one earlier event, and no key
    // (as the erasure's key destruction would have left it: the refused write's sealing made a new one).
    await person.destroyKeys(['cus_erased']);
    await expect(write(profiles, 'cus_erased', 1)).rejects.toBeInstanceOf(ProfileOfErasedCustomerError);
    expect(await itemsUnder('cus_erased')).toEqual(['EVT#2026-11-23T08:00:00.000Z#evt-1', 'P360', 'PROFILE']);
    expect(await itemsUnder('cus_erased_early')).toEqual(['PROFILE']);

    // Other customers, and a stale version (the optimistic lock), behave as before.
    expect(await write(profiles, 'cus_other')).toBe(true);
    expect(await write(profiles, 'cus_other', 0)).toBe(false);
    // A customer whose record is not written yet (created in the same batch) is not held up.
    expect(await write(profiles, 'cus_new')).toBe(true);
  });
});
