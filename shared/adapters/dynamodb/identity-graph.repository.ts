import { type DynamoDBDocumentClient, GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import {
  CUSTOMERS_MERGED_DETAIL_TYPE,
  type CustomersMergedV1,
} from '../../../events/identity/customers-merged.v1.ts';
import {
  addCounts,
  type CustomerHead,
  MAX_MERGE_HOPS,
  survivorOf,
} from '../../domain/identity/identity-graph.ts';
import type {
  IdentifierKey,
  IdentityGraphPorts,
  IdentityGraphState,
  ResolutionCommit,
} from '../../use-cases/identity/resolve-identity.use-case.ts';
import { batchGetConsistent } from './batch-get.ts';
import { keys } from './table-keys.ts';
import {
  nextVersionOfActiveCustomer,
  outboxItem,
  type TransactItem,
  transactIfUnchanged,
} from './transact.ts';

/**
 * The identity graph in the single table: `ID#<type>#<hash>` → its customer; `CUSTOMER#<id>` PROFILE with a
 * version (optimistic concurrency) and, once merged, `mergedInto`; `LINK#…` and `MERGE#…` items under the
 * customer record how each identifier and merge came about (rule, source, event, time).
 */
export const dynamoIdentityGraph = (db: DynamoDBDocumentClient, tableName: string, now: () => string) => {
  const batchGet = (itemKeys: readonly Record<string, string>[]) =>
    batchGetConsistent(db, tableName, itemKeys);

  /** Customer records from `ids`, following merges to their survivors, and a resolver to the final id. */
  const customersFrom = async (ids: readonly string[]) => {
    const customers = new Map<
      string,
      CustomerHead & {
        version: number;
        mergedInto?: string;
        keptApart?: string[];
        idTypes?: Record<string, number>;
      }
    >();
    let frontier = [...new Set(ids)];
    for (let hop = 0; hop < MAX_MERGE_HOPS && frontier.length > 0; hop++) {
      const got = await batchGet(frontier.map((id) => keys.customer(id)));
      for (const c of got)
        customers.set(String(c.customerId), {
          customerId: String(c.customerId),
          createdAt: String(c.createdAt),
          version: Number(c.version),
          ...(typeof c.mergedInto === 'string' ? { mergedInto: c.mergedInto } : {}),
          ...(c.keptApart instanceof Set ? { keptApart: [...c.keptApart].map(String) } : {}),
          ...(typeof c.idTypes === 'object' && c.idTypes !== null
            ? { idTypes: c.idTypes as Record<string, number> }
            : {}),
        });
      frontier = [
        ...new Set(
          got.flatMap((c) =>
            typeof c.mergedInto === 'string' && !customers.has(c.mergedInto) ? [c.mergedInto] : [],
          ),
        ),
      ];
    }
    const finalOf = (id: string): string => {
      let current = id;
      for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
        const next = customers.get(current)?.mergedInto;
        if (!next) return current;
        current = next;
      }
      return current;
    };
    const active = new Map([...customers].filter(([, c]) => !c.mergedInto));
    return { finalOf, active };
  };

  const read = async (ids: readonly IdentifierKey[]): Promise<IdentityGraphState> => {
    const idItems = await batchGet(ids.map((k) => keys.identifier(k.type, k.hash)));
    const stored = new Map(
      idItems.map((i) => [
        String(i.pk).slice('ID#'.length),
        { storedCustomerId: String(i.customerId), merges: Number(i.merges ?? 0) },
      ]),
    );
    const { finalOf, active } = await customersFrom([...stored.values()].map((v) => v.storedCustomerId));
    const owners = new Map(
      [...stored].map(([k, { storedCustomerId, merges }]) => [
        k,
        { customerId: finalOf(storedCustomerId), storedCustomerId, merges },
      ]),
    );
    return { owners, customers: active };
  };

  /**
   * Merges `otherId` into `survivorId` (each followed to its current survivor) without an identifier of
   * the event: a probabilistic match. The older customer survives. Retries on contention; idempotent.
   */
  const mergeCustomers = async (
    survivorId: string,
    otherId: string,
    evidence: Parameters<IdentityGraphPorts['commit']>[1],
  ): Promise<{ survivor: string; merged: string[] }> => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const { finalOf, active } = await customersFrom([survivorId, otherId]);
      const a = active.get(finalOf(survivorId));
      const b = active.get(finalOf(otherId));
      if (!a || !b || a.customerId === b.customerId)
        return { survivor: a?.customerId ?? b?.customerId ?? survivorId, merged: [] };
      const survivor = survivorOf([a, b])?.customerId === a.customerId ? a : b;
      const merged = survivor === a ? b : a;
      const survivorTypes = addCounts(survivor.idTypes ?? {}, merged.idTypes ?? {});
      if (
        await commit({ kind: 'link', survivor, merged: [merged], identifiers: [], survivorTypes }, evidence)
      )
        return { survivor: survivor.customerId, merged: [merged.customerId] };
    }
    throw new Error(`merge of ${otherId} into ${survivorId} kept conflicting`);
  };

  const linkItem = (
    customerId: string,
    k: IdentifierKey,
    evidence: { event: { eventId: string; source: string; channel: string }; rule: string },
    at: string,
  ): TransactItem => ({
    Put: {
      TableName: tableName,
      Item: {
        ...keys.customerLink(customerId, k.type, k.hash),
        type: k.type,
        rule: evidence.rule,
        source: evidence.event.source,
        channel: evidence.event.channel,
        eventId: evidence.event.eventId,
        at,
      },
    },
  });

  /** An identifier pointed at its customer, on condition its owner is still the one read (or none). */
  const identifierItem = (
    customerId: string,
    k: IdentifierKey & { readonly storedOwner?: string | undefined; readonly merges?: number },
    at: string,
  ): TransactItem => ({
    Put: {
      TableName: tableName,
      Item: {
        ...keys.identifier(k.type, k.hash),
        customerId,
        type: k.type,
        linkedAt: at,
        ...(k.merges ? { merges: k.merges } : {}),
      },
      ...(k.storedOwner === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'customerId = :was', ExpressionAttributeValues: { ':was': k.storedOwner } }),
    },
  });

  const commit: IdentityGraphPorts['commit'] = async (c: ResolutionCommit, evidence) => {
    const at = now();
    const items: TransactItem[] = [];
    if (c.kind === 'create') {
      items.push({
        Put: {
          TableName: tableName,
          Item: {
            ...keys.customer(c.customer.customerId),
            customerId: c.customer.customerId,
            createdAt: c.customer.createdAt,
            version: 1,
            status: 'active',
            idTypes: addCounts(...c.identifiers.map((k) => ({ [k.type]: 1 }))),
            gsi1pk: 'CUSTOMERS',
            gsi1sk: c.customer.customerId,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
      for (const k of c.identifiers) {
        items.push(identifierItem(c.customer.customerId, k, at));
        items.push(linkItem(c.customer.customerId, k, { ...evidence, rule: `new:${k.type}` }, at));
      }
    } else {
      items.push(
        nextVersionOfActiveCustomer(
          tableName,
          keys.customer(c.survivor.customerId),
          c.survivor.version,
          c.survivorTypes ? { set: 'idTypes = :types', values: { ':types': c.survivorTypes } } : {},
        ),
      );
      for (const k of c.bridges ?? [])
        items.push({
          Update: {
            TableName: tableName,
            Key: keys.identifier(k.type, k.hash),
            UpdateExpression: 'ADD merges :one',
            ExpressionAttributeValues: { ':one': 1 },
          },
        });
      for (const m of c.merged) {
        items.push(
          nextVersionOfActiveCustomer(tableName, keys.customer(m.customerId), m.version, {
            set: '#s = :merged, mergedInto = :into, mergedAt = :at',
            remove: 'gsi1pk, gsi1sk',
            values: { ':merged': 'merged', ':into': c.survivor.customerId, ':at': at },
          }),
        );
        items.push({
          Put: {
            TableName: tableName,
            Item: {
              ...keys.customerMerge(c.survivor.customerId, m.customerId),
              mergedCustomerId: m.customerId,
              rule: evidence.rule,
              ...(evidence.explanation ? { explanation: evidence.explanation } : {}),
              source: evidence.event.source,
              eventId: evidence.event.eventId,
              at,
            },
          },
        });
      }
      if (c.merged.length > 0) {
        // The fact goes out through the outbox, in the same transaction as the merge: published at least
        // once, and only if the merge happened.
        const detail: CustomersMergedV1 = {
          specVersion: '1',
          survivorCustomerId: c.survivor.customerId,
          mergedCustomerIds: c.merged.map((m) => m.customerId),
          rule: evidence.rule,
          eventId: evidence.event.eventId,
          source: evidence.event.source,
          mergedAt: at,
        };
        items.push(
          outboxItem(
            tableName,
            `merge:${c.survivor.customerId}:${evidence.event.eventId}`,
            CUSTOMERS_MERGED_DETAIL_TYPE,
            detail,
            at,
          ),
        );
      }
      for (const k of c.identifiers) {
        items.push(identifierItem(c.survivor.customerId, k, at));
        items.push(linkItem(c.survivor.customerId, k, evidence, at));
      }
    }
    return transactIfUnchanged(db, items);
  };

  return { read, commit, mergeCustomers, customersFrom };
};

/**
 * Every identity link of a customer with its lineage, including those of the customers merged into it
 * (their links stay under their own records; the survivor's `MERGE#` items lead to them).
 */
export const customerLinks = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  customerId: string,
): Promise<Record<string, unknown>[]> => (await customerSubtree(db, tableName, customerId)).links;

/** A customer and every customer merged into it (following `MERGE#` items), with all their links. */
export const customerSubtree = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  customerId: string,
): Promise<{ customerIds: Set<string>; links: Record<string, unknown>[] }> => {
  const links: Record<string, unknown>[] = [];
  const visited = new Set<string>();
  const pending = [customerId];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (visited.has(id)) continue;
    visited.add(id);
    for await (const page of paginateQuery(
      { client: db },
      {
        TableName: tableName,
        // Only `LINK#…` and `MERGE#…` (adjacent in key order): not the customer's events, profile, scores.
        KeyConditionExpression: 'pk = :p AND sk BETWEEN :links AND :merges',
        ExpressionAttributeValues: { ':p': keys.customer(id).pk, ':links': 'LINK#', ':merges': 'MERGE$' },
        ConsistentRead: true,
      },
    ))
      for (const item of page.Items ?? []) {
        const sk = String(item.sk);
        if (sk.startsWith('LINK#')) links.push({ ...item, customerId: id });
        else if (sk.startsWith('MERGE#')) pending.push(String(item.mergedCustomerId));
      }
  }
  return { customerIds: visited, links };
};

/** What readers show of a customer record (`PROFILE`): when it was made, where it was merged, its erasure. */
export const customerHeadOf = (
  item: Record<string, unknown>,
): { createdAt: string; mergedInto?: string; erasedAt?: string } => ({
  createdAt: String(item.createdAt),
  ...(typeof item.mergedInto === 'string' ? { mergedInto: item.mergedInto } : {}),
  ...(item.status === 'erased' ? { erasedAt: String(item.erasedAt) } : {}),
});

/** The customer record and identifier owners, for the customer API (see also `dynamoCustomerSnapshots`). */
export const dynamoCustomerReader = (db: DynamoDBDocumentClient, tableName: string) => ({
  customer: async (customerId: string) => {
    const got = await db.send(new GetCommand({ TableName: tableName, Key: keys.customer(customerId) }));
    return got.Item ? customerHeadOf(got.Item) : undefined;
  },
  ownerOf: async (type: string, hash: string) => {
    const got = await db.send(new GetCommand({ TableName: tableName, Key: keys.identifier(type, hash) }));
    return typeof got.Item?.customerId === 'string' ? got.Item.customerId : undefined;
  },
});
