import {
  decideSuggestedMatch,
  type ReviewDecision,
  type ReviewEffect,
  type SuggestedMatch,
} from '../../domain/identity/review-queue.ts';

export type ReviewPorts = {
  readonly get: (pairKey: string) => Promise<SuggestedMatch | undefined>;
  /** Each customer id followed through merges to its survivor. */
  readonly current: (customerIds: readonly string[]) => Promise<ReadonlyMap<string, string>>;
  /** Stores the decided item; false when it was decided meanwhile (read again). */
  readonly save: (item: SuggestedMatch, previousStatus: SuggestedMatch['status']) => Promise<boolean>;
  /** Merges the two customers through the identity graph (the profiles follow), with the reviewer as evidence. */
  readonly merge: (a: string, b: string, item: SuggestedMatch) => Promise<void>;
  /** Marks the two customers as not the same person: neither rule nor score merges them again. */
  readonly keepApart: (a: string, b: string) => Promise<void>;
};

export type ReviewOutcome =
  | { readonly kind: 'decided'; readonly item: SuggestedMatch; readonly effect: ReviewEffect }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'conflict'; readonly item: SuggestedMatch };

/**
 * Primary course:
 * 1. Read the suggested match and where both customers are now (either may have been merged since).
 * 2. Decide: approve → merge them; reject → keep them apart; deciding the same way twice changes nothing;
 *    the opposite decision on a decided pair is a conflict.
 * 3. Apply it, then record the decision (who, when, note) on the item if it is still as read.
 */
export const reviewSuggestedMatch = async (
  pairKey: string,
  decision: ReviewDecision,
  ports: ReviewPorts,
): Promise<ReviewOutcome> => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const item = await ports.get(pairKey);
    if (!item) return { kind: 'not-found' };
    const now = await ports.current([item.customerId, item.candidateId]);
    const result = decideSuggestedMatch(item, decision, {
      customerId: now.get(item.customerId) ?? item.customerId,
      candidateId: now.get(item.candidateId) ?? item.candidateId,
    });
    if (!result.ok) return { kind: 'conflict', item: result.item };
    if (result.effect.kind === 'none') {
      // Merged meanwhile: nothing to do, but the item leaves the queue with the decision on it.
      if (result.effect.reason === 'already-merged') await ports.save(result.item, item.status);
      return { kind: 'decided', item: result.item, effect: result.effect };
    }
    // The effect first (both are idempotent), then the record: a failure in between is retried whole.
    const [a, b] = result.effect.customerIds;
    if (result.effect.kind === 'merge') await ports.merge(a, b, result.item);
    else await ports.keepApart(a, b);
    if (await ports.save(result.item, item.status))
      return { kind: 'decided', item: result.item, effect: result.effect };
  }
  return { kind: 'conflict', item: (await ports.get(pairKey)) as SuggestedMatch };
};
