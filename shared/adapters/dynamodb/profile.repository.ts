import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import { PROFILE_UPDATED_DETAIL_TYPE } from '../../../events/profile/profile-updated.v1.ts';
import type { PiiVault } from '../../domain/privacy/pii-vault.port.ts';
import type { CustomerProfile, TraitEntry } from '../../domain/profile/customer-profile.ts';
import { joinPii, splitPii } from '../../domain/profile/profile-privacy.ts';
import type { IdentifierKey } from '../../use-cases/identity/resolve-identity.use-case.ts';
import {
  type CustomerEventRecord,
  ProfileOfErasedCustomerError,
  type ProfilePorts,
  type ProfileSave,
} from '../../use-cases/profile/update-profile.use-case.ts';
import { customerKeyVaultFromEnv } from '../crypto/customer-key.vault.ts';
import { keys } from './table-keys.ts';
import { customerNotErased, outboxItem, type TransactItem, transactOrFailedConditions } from './transact.ts';

/**
 * Profiles in the single table. `CUSTOMER#<id>` `P360`: the profile with its PII traits sealed under the
 * customer's own key (one sealed value per write, re-sealed only when they change) and a version for
 * optimistic concurrency. `CUSTOMER#<id>` `EVT#<occurredAt>#<eventId>`: the pseudonymous timeline entry,
 * the event's hashed identifiers and the event itself, sealed, expiring with the timeline's TTL.
 */
export const dynamoProfiles = (
  db: DynamoDBDocumentClient,
  tableName: string,
  vault: PiiVault,
): ProfilePorts & {
  readonly load: (
    customerId: string,
    opts?: { readonly pii?: boolean },
  ) => Promise<CustomerProfile | undefined>;
  readonly records: (customerId: string) => Promise<CustomerEventRecord[]>;
  readonly moveRecord: (record: CustomerEventRecord, to: string) => Promise<void>;
  readonly fromItem: (
    customerId: string,
    item: Record<string, unknown>,
    opts?: { readonly pii?: boolean },
  ) => Promise<CustomerProfile>;
} => {
  // The sealed PII as last read, so an unchanged set of PII traits is not sealed again (≈1 ms a seal).
  const lastSealed = new Map<string, { json: string; sealed: string }>();

  /**
   * The profile, PII opened; with `pii: false` the PII traits are left sealed and out (no key is fetched or
   * unwrapped): for a reader who may see none of them.
   */
  const load = async (
    customerId: string,
    opts: { readonly pii?: boolean } = {},
  ): Promise<CustomerProfile | undefined> => {
    const got = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: keys.customerProfile360(customerId),
        ConsistentRead: true,
      }),
    );
    return got.Item ? fromItem(customerId, got.Item, opts) : undefined;
  };

  /** The profile in a `P360` item read some other way (e.g. with the rest of the customer in one query). */
  const fromItem = async (
    customerId: string,
    item: Record<string, unknown>,
    opts: { readonly pii?: boolean } = {},
  ): Promise<CustomerProfile> => {
    const clear = item.profile as CustomerProfile;
    let pii: Record<string, TraitEntry> | undefined;
    if (typeof item.pii === 'string' && opts.pii !== false) {
      const opened = await vault.open(customerId, 'profile', item.pii);
      if (opened !== undefined) {
        pii = JSON.parse(opened) as Record<string, TraitEntry>;
        lastSealed.set(customerId, { json: opened, sealed: item.pii });
      }
    }
    return joinPii({ ...clear, version: Number(item.profileVersion) }, pii);
  };

  const sealPii = async (
    customerId: string,
    pii: Record<string, TraitEntry>,
  ): Promise<string | undefined> => {
    if (Object.keys(pii).length === 0) return undefined;
    const json = JSON.stringify(pii);
    const last = lastSealed.get(customerId);
    if (last?.json === json) return last.sealed;
    const sealed = await vault.seal(customerId, 'profile', json);
    if (lastSealed.size > 1000) lastSealed.clear();
    lastSealed.set(customerId, { json, sealed });
    return sealed;
  };

  const recordItem = async (record: CustomerEventRecord, customerId: string): Promise<TransactItem> => ({
    Put: {
      TableName: tableName,
      Item: {
        ...keys.customerEvent(customerId, record.event.occurredAt, record.event.eventId),
        ...(record.entry
          ? { entry: { ...record.entry, customerId }, expiresAt: record.entry.expiresAt }
          : {}),
        identifiers: record.identifiers.map((k) => ({ type: k.type, hash: k.hash })),
        sealed: await vault.seal(customerId, 'event', JSON.stringify(record.event)),
      },
    },
  });

  const save = async (change: ProfileSave): Promise<boolean> => {
    const { profile } = change;
    const { clear, pii } = splitPii(profile);
    const sealed = await sealPii(profile.customerId, pii);
    const items: TransactItem[] = [
      {
        Put: {
          TableName: tableName,
          Item: {
            ...keys.customerProfile360(profile.customerId),
            customerId: profile.customerId,
            profileVersion: profile.version,
            profile: { ...clear, version: profile.version },
            ...(sealed ? { pii: sealed } : {}),
            updatedAt: profile.updatedAt,
          },
          ...(change.expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'profileVersion = :v',
                ExpressionAttributeValues: { ':v': change.expectedVersion },
              }),
        },
      },
    ];
    if (change.record) items.push(await recordItem(change.record, profile.customerId));
    if (change.published)
      items.push(
        outboxItem(
          tableName,
          `profile:${profile.customerId}:${profile.version}`,
          PROFILE_UPDATED_DETAIL_TYPE,
          change.published,
          profile.updatedAt,
        ),
      );
    // Guarded by the customer record: an event in flight when the person was erased must not bring their
    // profile (or its sealed copy of the event) back after the purge.
    const written = await transactOrFailedConditions(db, [
      customerNotErased(tableName, profile.customerId),
      ...items,
    ]);
    if (written.ok) return true;
    if (written.failed.includes(0)) {
      // Sealing for this write may have made the erased customer a new key: it goes too.
      await vault.forget(profile.customerId);
      throw new ProfileOfErasedCustomerError(profile.customerId);
    }
    return false;
  };

  /** A customer's own event records (not those of customers merged into it), events opened. */
  const records = async (customerId: string): Promise<CustomerEventRecord[]> => {
    const out: CustomerEventRecord[] = [];
    for await (const page of paginateQuery(
      { client: db },
      {
        TableName: tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':p': keys.customer(customerId).pk, ':e': 'EVT#' },
        ConsistentRead: true,
      },
    ))
      for (const item of page.Items ?? []) {
        const opened =
          typeof item.sealed === 'string' ? await vault.open(customerId, 'event', item.sealed) : undefined;
        if (opened === undefined) continue; // erased
        out.push({
          customerId,
          event: JSON.parse(opened) as CleanedEventV1,
          entry: item.entry,
          identifiers: (item.identifiers ?? []) as IdentifierKey[],
        });
      }
    return out;
  };

  /** Moves a record to another customer, re-sealed under that customer's key. */
  const moveRecord = async (record: CustomerEventRecord, to: string): Promise<void> => {
    const put = await recordItem(record, to);
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          put,
          {
            Delete: {
              TableName: tableName,
              Key: keys.customerEvent(record.customerId, record.event.occurredAt, record.event.eventId),
            },
          },
        ],
      }),
    );
  };

  return { load, fromItem, save, records, moveRecord };
};

/** The profile store of a function bound to the table and the PII vault (see `piiVault` bindings). */
export const dynamoProfilesFromEnv = (db: DynamoDBDocumentClient, tableName: string) =>
  dynamoProfiles(db, tableName, customerKeyVaultFromEnv(db, tableName));
