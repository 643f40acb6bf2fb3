import type { MatchExplanation } from './candidate-matcher.ts';

/*
 * The suggested-match review queue: pairs of customers that probabilistic matching found likely, but not
 * certainly, to be one person. A reviewer approves (→ merge) or rejects (→ keep apart, so matching never
 * suggests or merges the pair again). Pure: the adapter stores items keyed by `pairKey` and applies the
 * effects through the existing merge path and the keep-apart marks.
 *
 *   pending ──approve──▶ approved   effect: merge the pair's current customers (none if already one)
 *   pending ──reject───▶ rejected   effect: keep the pair's current customers apart (none if already one)
 *   decided ──same decision again──▶ unchanged, no effect (idempotent)
 *   decided ──other decision──▶ refused (conflict)
 */

export type ReviewStatus = 'pending' | 'approved' | 'rejected';

/** What matching hands to the queue. */
export type SuggestedMatchInput = {
  /** The customer the incoming record resolved to. */
  readonly customerId: string;
  /** The candidate customer it probably is. */
  readonly candidateId: string;
  readonly probability: number;
  readonly weight: number;
  readonly explanation: MatchExplanation;
};

export type ReviewVerdict = 'approve' | 'reject';

export type ReviewDecision = {
  readonly verdict: ReviewVerdict;
  /** Who decided (a user id; never a name or e-mail). */
  readonly by: string;
  readonly at: string;
  readonly note?: string | undefined;
};

export type SuggestedMatch = SuggestedMatchInput & {
  /** The pair, order-independent: one queue item per pair. */
  readonly pairKey: string;
  readonly status: ReviewStatus;
  readonly suggestedAt: string;
  /** When matching last suggested the pair again (its latest score is kept while pending). */
  readonly updatedAt: string;
  readonly decision?: ReviewDecision | undefined;
};

/** What deciding asks the adapter to do. `customerIds` are the pair's current (surviving) customers. */
export type ReviewEffect =
  | { readonly kind: 'merge'; readonly customerIds: readonly [string, string] }
  | { readonly kind: 'keep-apart'; readonly customerIds: readonly [string, string] }
  | { readonly kind: 'none'; readonly reason: 'already-decided' | 'already-merged' };

export type ReviewResult =
  | { readonly ok: true; readonly item: SuggestedMatch; readonly effect: ReviewEffect }
  | { readonly ok: false; readonly reason: 'conflicting-decision'; readonly item: SuggestedMatch };

export class SuggestedMatchError extends Error {
  override readonly name = 'SuggestedMatchError';
}

/** The queue key of a pair, the same whichever customer comes first. */
export const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/**
 * The item to store when matching suggests a pair: a new pending item; a pending item updated with the
 * latest score; a decided item unchanged (a rejected pair stays rejected, an approved one approved).
 * Throws {@link SuggestedMatchError} when the pair is one customer or the probability is not in [0, 1].
 */
export const upsertSuggestedMatch = (
  existing: SuggestedMatch | undefined,
  input: SuggestedMatchInput,
  at: string,
): SuggestedMatch => {
  if (input.customerId === input.candidateId)
    throw new SuggestedMatchError(
      `a customer cannot be suggested as a match of itself (${input.customerId})`,
    );
  if (!(input.probability >= 0 && input.probability <= 1))
    throw new SuggestedMatchError(`probability must be in [0, 1], got ${input.probability}`);
  const key = pairKey(input.customerId, input.candidateId);
  if (existing && existing.pairKey !== key)
    throw new SuggestedMatchError(`item ${existing.pairKey} is not the pair ${key}`);
  if (!existing) return { ...input, pairKey: key, status: 'pending', suggestedAt: at, updatedAt: at };
  if (existing.status !== 'pending') return existing;
  return { ...existing, ...input, updatedAt: at };
};

/**
 * Applies a reviewer's decision. `current` are the pair's customers as they are now, after following merges
 * (the adapter resolves them): when both are one customer, approving or rejecting has no effect.
 */
export const decideSuggestedMatch = (
  item: SuggestedMatch,
  decision: ReviewDecision,
  current: { readonly customerId: string; readonly candidateId: string },
): ReviewResult => {
  const status: ReviewStatus = decision.verdict === 'approve' ? 'approved' : 'rejected';
  if (item.status !== 'pending')
    return item.status === status
      ? { ok: true, item, effect: { kind: 'none', reason: 'already-decided' } }
      : { ok: false, reason: 'conflicting-decision', item };
  const decided: SuggestedMatch = { ...item, status, decision };
  if (current.customerId === current.candidateId)
    return { ok: true, item: decided, effect: { kind: 'none', reason: 'already-merged' } };
  const customerIds = [current.customerId, current.candidateId] as const;
  return {
    ok: true,
    item: decided,
    effect: status === 'approved' ? { kind: 'merge', customerIds } : { kind: 'keep-apart', customerIds },
  };
};
