import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import {
  type CustomerHead,
  type IdentityRules,
  linkingIdentifiers,
  survivorOf,
} from '../../domain/identity/identity-graph.ts';
import { keptApart } from '../../domain/identity/unmerge-plan.ts';

/** An identifier as stored: its type and keyed hash, never the value. */
export type IdentifierKey = { readonly type: string; readonly hash: string };

export type IdentityGraphState = {
  /** Current owner of each identifier: after following merges, and as stored (for the write condition). */
  readonly owners: ReadonlyMap<string, { readonly customerId: string; readonly storedCustomerId: string }>;
  readonly customers: ReadonlyMap<
    string,
    CustomerHead & { readonly version: number; readonly keptApart?: readonly string[] }
  >;
};

export type ResolutionCommit =
  | {
      readonly kind: 'create';
      readonly customer: CustomerHead;
      readonly identifiers: readonly IdentifierKey[];
    }
  | {
      readonly kind: 'link';
      readonly survivor: CustomerHead & { readonly version: number };
      readonly merged: readonly (CustomerHead & { readonly version: number })[];
      /** Identifiers to point at the survivor, with the owner stored when read (undefined: new). */
      readonly identifiers: readonly (IdentifierKey & { readonly storedOwner: string | undefined })[];
    };

export type IdentityGraphPorts = {
  readonly read: (keys: readonly IdentifierKey[]) => Promise<IdentityGraphState>;
  /** Applies the commit atomically if what was read is unchanged; false when it changed (retry). */
  readonly commit: (
    commit: ResolutionCommit,
    evidence: {
      readonly event: Pick<CleanedEventV1, 'eventId' | 'source' | 'channel'>;
      readonly rule: string;
      /** How a probabilistic match scored, field by field (no values). */
      readonly explanation?: string;
    },
  ) => Promise<boolean>;
  readonly blindIndex: (purpose: string, value: string) => string;
  readonly newCustomerId: (seed: string) => string;
};

export type Resolution =
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'created'; readonly customerId: string }
  | { readonly kind: 'linked'; readonly customerId: string; readonly mergedCustomerIds: readonly string[] };

export class ResolutionContentionError extends Error {
  override readonly name = 'ResolutionContentionError';
}

const MAX_ATTEMPTS = 20;

/**
 * Primary course:
 * 1. Take the event's linking identifiers (strongest first; blocked values left out) as keyed hashes.
 * 2. Read who owns them now (following merges).
 * 3. No owner: create a customer whose id derives from the event (a retried event creates the same one).
 *    One owner: link the new identifiers to it. Several: merge them into the oldest, then link.
 * 4. Commit conditionally on what was read; if another resolver changed it meanwhile, read again and redo —
 *    so concurrent events about one person converge on one customer, with no lost update.
 */
export const resolveIdentity = async (
  event: CleanedEventV1,
  rules: IdentityRules,
  ports: IdentityGraphPorts,
): Promise<Resolution> => {
  const identifiers = linkingIdentifiers(event.identities, rules);
  if (identifiers.length === 0) return { kind: 'skipped', reason: 'no linking identifier' };
  const keys = identifiers.map((i) => ({
    type: i.type,
    hash: ports.blindIndex('identity', `${i.type}:${i.value}`),
  }));
  const keyOf = (k: IdentifierKey) => `${k.type}#${k.hash}`;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const state = await ports.read(keys);
    const ownerIds = [...new Set(keys.flatMap((k) => state.owners.get(keyOf(k))?.customerId ?? []))];
    if (ownerIds.length === 0) {
      const customer = { customerId: ports.newCustomerId(event.eventId), createdAt: event.receivedAt };
      if (
        await ports.commit(
          { kind: 'create', customer, identifiers: keys },
          { event, rule: `new:${keys[0]?.type}` },
        )
      )
        return { kind: 'created', customerId: customer.customerId };
      continue;
    }
    const owners = ownerIds.flatMap((id) => state.customers.get(id) ?? []);
    // Customers an admin split stay apart: the event goes with the owner of its strongest identifier and
    // those it may merge with; identifiers of a kept-apart customer stay where they are.
    const anchor = owners[0];
    const group = owners.filter((o) => anchor && !keptApart(anchor, o));
    const survivorHead = survivorOf(group);
    const survivor = survivorHead && state.customers.get(survivorHead.customerId);
    if (!survivor) continue;
    const merged = group.filter((o) => o.customerId !== survivor.customerId && !keptApart(survivor, o));
    const stays = new Set(owners.filter((o) => !merged.includes(o)).map((o) => o.customerId));
    const toPoint = keys
      .filter((k) => {
        const owner = state.owners.get(keyOf(k))?.customerId;
        return owner !== survivor.customerId && !(owner !== undefined && stays.has(owner));
      })
      .map((k) => ({ ...k, storedOwner: state.owners.get(keyOf(k))?.storedCustomerId }));
    if (toPoint.length === 0 && merged.length === 0)
      return { kind: 'linked', customerId: survivor.customerId, mergedCustomerIds: [] };
    const rule =
      merged.length > 0
        ? `merge:${keys
            .filter((k) => state.owners.has(keyOf(k)))
            .map((k) => k.type)
            .join('+')}`
        : `link:${keys[0]?.type}`;
    if (await ports.commit({ kind: 'link', survivor, merged, identifiers: toPoint }, { event, rule }))
      return {
        kind: 'linked',
        customerId: survivor.customerId,
        mergedCustomerIds: merged.map((m) => m.customerId),
      };
  }
  throw new ResolutionContentionError(`event ${event.eventId}: identity graph kept changing; retry later`);
};
