import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import {
  addCounts,
  type CustomerHead,
  type IdentityRules,
  linkingIdentifiers,
  survivorOf,
  type TypeCounts,
  withinTypeLimits,
} from '../../domain/identity/identity-graph.ts';
import { keptApart } from '../../domain/identity/unmerge-plan.ts';

/** An identifier as stored: its type and keyed hash, never the value. */
export type IdentifierKey = { readonly type: string; readonly hash: string };

export type IdentityGraphState = {
  /** Current owner of each identifier: after following merges, and as stored (for the write condition). */
  readonly owners: ReadonlyMap<
    string,
    {
      readonly customerId: string;
      readonly storedCustomerId: string;
      /** How many merges this identifier has brought about (the super-node guard). */
      readonly merges?: number;
    }
  >;
  readonly customers: ReadonlyMap<
    string,
    CustomerHead & {
      readonly version: number;
      readonly keptApart?: readonly string[];
      /** Identifiers the customer holds, per type (the per-type limits). */
      readonly idTypes?: TypeCounts;
    }
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
      readonly identifiers: readonly (IdentifierKey & {
        readonly storedOwner: string | undefined;
        /** The identifier's merge count to store (kept, or up by one when it bridges this merge). */
        readonly merges?: number;
      })[];
      /** Identifiers that brought customers together here and stay where they are: their count goes up. */
      readonly bridges?: readonly IdentifierKey[];
      /** The survivor's identifier counts per type afterwards (its own, the merged ones', the new ones). */
      readonly survivorTypes?: TypeCounts;
    };

export type IdentityGraphPorts = {
  readonly read: (keys: readonly IdentifierKey[]) => Promise<IdentityGraphState>;
  /** Applies the commit atomically if what was read is unchanged; false when it changed (retry). */
  readonly commit: (
    commit: ResolutionCommit,
    evidence: {
      /** What brought it about: an event, or a reviewer's decision (`source: 'review'`). */
      readonly event: { readonly eventId: string; readonly source: string; readonly channel: string };
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
    // Who may be merged: customers an admin split stay apart, and an identifier that already brought
    // several customers together (a super-node) no longer merges anyone; it still links to its owner.
    const bridgingOwners = new Set(
      keys.flatMap((k) => {
        const o = state.owners.get(keyOf(k));
        return o && (o.merges ?? 0) < rules.maxMergesPerIdentifier ? [o.customerId] : [];
      }),
    );
    // The event goes with the owner of its strongest identifier that is not a super-node.
    const anchor = owners.find((o) => bridgingOwners.has(o.customerId)) ?? owners[0];
    if (!anchor) continue;
    let group = owners.filter(
      (o) =>
        o === anchor ||
        (bridgingOwners.has(o.customerId) && bridgingOwners.has(anchor.customerId) && !keptApart(anchor, o)),
    );
    // Per-type limits: a merge that would give one customer too many phones (or e-mails, cards…) is left
    // undone; the event stays with the owner of its strongest identifier.
    if (!withinTypeLimits(addCounts(...group.map((o) => o.idTypes ?? {})), rules)) group = [anchor];
    const survivorHead = survivorOf(group);
    const survivor = survivorHead && state.customers.get(survivorHead.customerId);
    if (!survivor) continue;
    const merged = group.filter((o) => o.customerId !== survivor.customerId && !keptApart(survivor, o));
    const stays = new Set(owners.filter((o) => !merged.includes(o)).map((o) => o.customerId));
    const held = addCounts(...[survivor, ...merged].map((o) => o.idTypes ?? {}));
    const toPoint = keys
      .filter((k) => {
        const owner = state.owners.get(keyOf(k))?.customerId;
        if (owner === undefined) {
          // A new identifier is linked only while the customer is within its limit for that type.
          held[k.type] = (held[k.type] ?? 0) + 1;
          return withinTypeLimits({ [k.type]: held[k.type] ?? 0 }, rules);
        }
        return owner !== survivor.customerId && !stays.has(owner);
      })
      .map((k) => ({ ...k, storedOwner: state.owners.get(keyOf(k))?.storedCustomerId }));
    const bridging = merged.length > 0 ? keys.filter((k) => state.owners.has(keyOf(k))) : [];
    const isBridge = (k: IdentifierKey) => bridging.some((b) => keyOf(b) === keyOf(k));
    const pointed = toPoint.map((k) => ({
      ...k,
      merges: (state.owners.get(keyOf(k))?.merges ?? 0) + (isBridge(k) ? 1 : 0),
    }));
    const newTypes = addCounts(
      ...toPoint.filter((k) => k.storedOwner === undefined).map((k) => ({ [k.type]: 1 })),
    );
    const survivorTypes = addCounts(survivor.idTypes ?? {}, ...merged.map((o) => o.idTypes ?? {}), newTypes);
    const bridges = bridging.filter((k) => !toPoint.some((p) => keyOf(p) === keyOf(k)));
    if (toPoint.length === 0 && merged.length === 0)
      return { kind: 'linked', customerId: survivor.customerId, mergedCustomerIds: [] };
    const rule =
      merged.length > 0
        ? `merge:${keys
            .filter((k) => state.owners.has(keyOf(k)))
            .map((k) => k.type)
            .join('+')}`
        : `link:${keys[0]?.type}`;
    if (
      await ports.commit(
        { kind: 'link', survivor, merged, identifiers: pointed, bridges, survivorTypes },
        { event, rule },
      )
    )
      return {
        kind: 'linked',
        customerId: survivor.customerId,
        mergedCustomerIds: merged.map((m) => m.customerId),
      };
  }
  throw new ResolutionContentionError(`event ${event.eventId}: identity graph kept changing; retry later`);
};
