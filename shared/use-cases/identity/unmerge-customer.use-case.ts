import { type IdentityLink, planUnmerge, type UnmergeSide } from '../../domain/identity/unmerge-plan.ts';
import type { IdentifierKey } from './resolve-identity.use-case.ts';

export type CustomerState = {
  readonly customerId: string;
  readonly status: 'active' | 'merged' | string;
  readonly mergedInto?: string;
  readonly version: number;
};

export type UnmergeRequest = {
  readonly survivorCustomerId: string;
  readonly restoredCustomerId: string;
  readonly actor: string;
  readonly reason: string;
};

export type UnmergeCommit = {
  readonly survivor: CustomerState;
  readonly restored: CustomerState;
  /** Identifiers to point at another customer, with the owner stored when read (the write condition). */
  readonly repoint: readonly (IdentifierKey & { readonly from: string; readonly to: string })[];
  readonly returnedTypes: readonly string[];
  readonly actor: string;
  readonly reason: string;
};

export type UnmergePorts = {
  readonly customer: (customerId: string) => Promise<CustomerState | undefined>;
  /** Every link under a customer and the customers merged into it, and those customers' ids. */
  readonly subtree: (
    customerId: string,
  ) => Promise<{ readonly customerIds: ReadonlySet<string>; readonly links: readonly IdentityLink[] }>;
  /** The stored owner (before following merges) of each identifier. */
  readonly storedOwners: (keys: readonly IdentifierKey[]) => Promise<ReadonlyMap<string, string>>;
  /** Applies the commit atomically if both customers are as read; false when they changed (retry). */
  readonly commit: (commit: UnmergeCommit) => Promise<boolean>;
};

export type UnmergeOutcome =
  | {
      readonly kind: 'unmerged';
      readonly survivorCustomerId: string;
      readonly restoredCustomerId: string;
      readonly returnedIdentifierTypes: readonly string[];
    }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'not-merged-into'; readonly mergedInto: string | undefined };

export class UnmergeContentionError extends Error {
  override readonly name = 'UnmergeContentionError';
}

const MAX_ATTEMPTS = 10;

/**
 * Primary course:
 * 1. Read both customers: the restored one must have been merged directly into the survivor.
 * 2. Read every identity link under the survivor (its own and those of all customers merged into it).
 * 3. Give each identifier to the side that first linked it (the restored customer's side includes the
 *    customers merged into it); read where each is stored now and re-point those on the wrong side.
 * 4. Commit conditionally on both customers' versions: the restored customer is active again, the two are
 *    kept apart from now on, the merge record goes, and CustomerUnmerged v1 is written to the outbox in the
 *    same transaction — profiles are then rebuilt from source events by its consumer.
 */
export const unmergeCustomer = async (
  request: UnmergeRequest,
  ports: UnmergePorts,
): Promise<UnmergeOutcome> => {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [survivor, restored] = await Promise.all([
      ports.customer(request.survivorCustomerId),
      ports.customer(request.restoredCustomerId),
    ]);
    if (!survivor || !restored || survivor.status !== 'active') return { kind: 'not-found' };
    if (restored.status !== 'merged' || restored.mergedInto !== survivor.customerId)
      return { kind: 'not-merged-into', mergedInto: restored.mergedInto };

    const [all, restoredSide] = await Promise.all([
      ports.subtree(survivor.customerId),
      ports.subtree(restored.customerId),
    ]);
    const plan = planUnmerge(all.links, restoredSide.customerIds);
    const stored = await ports.storedOwners(plan);
    const sideOf = (customerId: string): UnmergeSide =>
      restoredSide.customerIds.has(customerId) ? 'restored' : 'survivor';
    const repoint = plan.flatMap((a) => {
      const from = stored.get(`${a.type}#${a.hash}`);
      if (from === undefined || sideOf(from) === a.side) return [];
      const to = a.side === 'restored' ? restored.customerId : survivor.customerId;
      return [{ type: a.type, hash: a.hash, from, to }];
    });
    const returnedTypes = [...new Set(plan.filter((a) => a.side === 'restored').map((a) => a.type))].sort();
    const committed = await ports.commit({
      survivor,
      restored,
      repoint,
      returnedTypes,
      actor: request.actor,
      reason: request.reason,
    });
    if (committed)
      return {
        kind: 'unmerged',
        survivorCustomerId: survivor.customerId,
        restoredCustomerId: restored.customerId,
        returnedIdentifierTypes: returnedTypes,
      };
  }
  throw new UnmergeContentionError(
    `unmerge of ${request.restoredCustomerId} from ${request.survivorCustomerId}: kept changing; retry`,
  );
};
