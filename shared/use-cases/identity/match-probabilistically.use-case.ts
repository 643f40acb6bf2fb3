import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import { blockingKeysOf } from '../../domain/identity/candidate-blocking.rule.ts';
import {
  type CandidateScore,
  type ComparisonTraits,
  type MatchExplanation,
  type MatchOptions,
  scoreCandidates,
} from '../../domain/identity/candidate-matcher.ts';
import {
  type CustomerHead,
  DEFAULT_IDENTITY_RULES,
  type IdentityRules,
  survivorOf,
} from '../../domain/identity/identity-graph.ts';
import { pairKey, type SuggestedMatchInput } from '../../domain/identity/review-queue.ts';

/** A customer as matching reads it: its current id (after merges), creation time and decrypted traits. */
export type CustomerComparisonTraits = CustomerHead & { readonly traits: ComparisonTraits };

export type ProbabilisticMatchPorts = {
  /** Keyed hash (HMAC) of a value for a purpose; blocking keys use purpose `block`. */
  readonly blindIndex: (purpose: string, value: string) => string;
  /**
   * Customer ids indexed under each block hash (`BLOCK#<hash>`), at most `limit` per hash (any `limit` of
   * them); a hash with no customers may be absent. `limit` is the cap + 2, so a full answer shows the block
   * is over the cap whether or not it includes the asking customer.
   */
  readonly candidates: (
    blockHashes: readonly string[],
    limit: number,
  ) => Promise<ReadonlyMap<string, readonly string[]>>;
  /**
   * Comparison traits (PII, decrypted) of customers, keyed by the id asked for. A merged-away id answers
   * with its survivor (`customerId` is then the survivor's); unknown or erased customers are left out.
   */
  readonly comparisonTraits: (
    customerIds: readonly string[],
  ) => Promise<ReadonlyMap<string, CustomerComparisonTraits>>;
  /** True when the two customers (current ids) must not be merged: unmerged, or a suggestion was rejected. */
  readonly keptApart: (a: string, b: string) => Promise<boolean>;
  /** Merges `other` into `survivor` through the caller's merge path, recording the explanation as evidence. */
  readonly merge: (survivor: string, other: string, explanation: MatchExplanation) => Promise<void>;
  /** Puts the pair on the review queue; idempotent per pair (see `upsertSuggestedMatch`). */
  readonly suggest: (item: SuggestedMatchInput & { readonly pairKey: string }) => Promise<void>;
  /** Adds the customer to each block (the adapter may stop adding to a block already over the cap). */
  readonly indexBlocks: (customerId: string, blockHashes: readonly string[]) => Promise<void>;
};

export type ProbabilisticMatchOptions = MatchOptions & {
  /** A block with more customers than this is skipped (super-node guard). @default 100 */
  readonly maxBlockSize?: number | undefined;
  /** Customers compared at most, those sharing the most blocks first. @default 50 */
  readonly maxCandidates?: number | undefined;
  /** Blocked identifier values (shared phones, test e-mails) are not compared. @default DEFAULT_IDENTITY_RULES */
  readonly rules?: IdentityRules | undefined;
};

export type ProbabilisticMatch =
  | { readonly kind: 'skipped'; readonly reason: 'no blocking key' }
  | {
      readonly kind: 'matched';
      /** The event's customer after any merge (the oldest of the merged ones). */
      readonly customerId: string;
      readonly merged: readonly {
        readonly survivor: string;
        readonly other: string;
        readonly probability: number;
        readonly explanation: MatchExplanation;
      }[];
      readonly suggested: readonly { readonly candidateId: string; readonly probability: number }[];
      /** Candidates at merge or suggest level kept apart from the customer or one merged into it here. */
      readonly keptApart: readonly string[];
      /** Every scored candidate (decision included), best first. */
      readonly scores: readonly CandidateScore[];
      readonly blocks: number;
      readonly skippedBlocks: number;
    };

const strings = (v: unknown): string[] => (typeof v === 'string' && v.trim() !== '' ? [v] : []);

/**
 * The comparison traits of a cleaned event: name, birthday, address, city and postcode traits, and its
 * phone / e-mail identities except blocked values (a shared number says nothing about who this is).
 */
export const comparisonTraitsOfEvent = (
  event: CleanedEventV1,
  rules: IdentityRules = DEFAULT_IDENTITY_RULES,
): ComparisonTraits => {
  const t = event.traits;
  const ids = (type: 'phone' | 'email') =>
    event.identities
      .filter((i) => i.type === type && !(rules.blocked[type] ?? []).includes(i.value))
      .map((i) => i.value);
  return {
    name: strings(t.name),
    birthday: strings(t.birthday),
    address: strings(t.address),
    city: strings(t.city),
    postcode: strings(t.postcode),
    phone: ids('phone'),
    email: ids('email'),
  };
};

/**
 * Primary course, for an event whose strong identifiers found no owner (the caller decides), resolved to
 * `customerId`:
 * 1. Derive the event's blocking keys and index the customer under their hashes, so later records (and a
 *    concurrent one) find it.
 * 2. Read the customers in those blocks; a block over `maxBlockSize` is skipped (super-node guard). Rank
 *    candidates by blocks shared, keep `maxCandidates`.
 * 3. Read their comparison traits (following merges; never the customer itself) and score them.
 * 4. Best first: `merge` → merge through the caller's merge path into the older customer; `suggest` → the
 *    review queue. A candidate kept apart from the customer, or from any customer merged with it in this
 *    run, is neither merged nor suggested: that pair was reviewed (or unmerged) already.
 */
export const matchProbabilistically = async (
  input: { readonly event: CleanedEventV1; readonly customerId: string },
  ports: ProbabilisticMatchPorts,
  options: ProbabilisticMatchOptions = {},
): Promise<ProbabilisticMatch> => {
  const { event, customerId } = input;
  const maxBlockSize = options.maxBlockSize ?? 100;
  const maxCandidates = options.maxCandidates ?? 50;
  const traits = comparisonTraitsOfEvent(event, options.rules);
  const hashes = [...new Set(blockingKeysOf(traits).map((k) => ports.blindIndex('block', k)))];
  if (hashes.length === 0) return { kind: 'skipped', reason: 'no blocking key' };

  // 1–2. Index, then read the blocks.
  await ports.indexBlocks(customerId, hashes);
  // One more than the cap shows a block is over it; one more again for the customer itself.
  const blocks = await ports.candidates(hashes, maxBlockSize + 2);
  const shared = new Map<string, number>();
  let skippedBlocks = 0;
  for (const h of hashes) {
    const ids = [...new Set(blocks.get(h) ?? [])].filter((id) => id !== customerId);
    if (ids.length > maxBlockSize) {
      skippedBlocks++;
      continue;
    }
    for (const id of ids) shared.set(id, (shared.get(id) ?? 0) + 1);
  }
  const ranked = [...shared]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, maxCandidates)
    .map(([id]) => id);

  // 3. Traits, following merges; the customer itself (under whatever id it now has) is no candidate.
  const profiles: ReadonlyMap<string, CustomerComparisonTraits> =
    ranked.length > 0 ? await ports.comparisonTraits([customerId, ...ranked]) : new Map();
  const self = profiles.get(customerId);
  let current: CustomerHead = self
    ? { customerId: self.customerId, createdAt: self.createdAt }
    : { customerId, createdAt: event.receivedAt };
  const candidates = new Map<string, CustomerComparisonTraits>();
  for (const id of ranked) {
    const p = profiles.get(id);
    if (p && p.customerId !== current.customerId && p.customerId !== customerId)
      candidates.set(p.customerId, p);
  }
  const scores = scoreCandidates(
    traits,
    [...candidates.values()].map((c) => ({ customerId: c.customerId, traits: c.traits })),
    options,
  );

  // 4. Decisions, best first. `group`: every id merged in this run (marks may be stored under any of them).
  const group = [...new Set([customerId, current.customerId])];
  const merged: {
    survivor: string;
    other: string;
    probability: number;
    explanation: MatchExplanation;
  }[] = [];
  const suggested: { candidateId: string; probability: number }[] = [];
  const keptApart: string[] = [];
  for (const score of scores) {
    const candidate = candidates.get(score.customerId);
    if (score.decision === 'none' || !candidate || group.includes(candidate.customerId)) continue;
    let apart = false;
    for (const member of group)
      if (await ports.keptApart(member, candidate.customerId)) {
        apart = true;
        break;
      }
    if (apart) {
      keptApart.push(candidate.customerId);
      continue;
    }
    if (score.decision === 'merge') {
      const survivor = survivorOf([current, candidate]) ?? current;
      const other = survivor.customerId === current.customerId ? candidate.customerId : current.customerId;
      await ports.merge(survivor.customerId, other, score.explanation);
      merged.push({
        survivor: survivor.customerId,
        other,
        probability: score.probability,
        explanation: score.explanation,
      });
      group.push(candidate.customerId);
      current = { customerId: survivor.customerId, createdAt: survivor.createdAt };
    } else {
      await ports.suggest({
        customerId: current.customerId,
        candidateId: candidate.customerId,
        probability: score.probability,
        weight: score.weight,
        explanation: score.explanation,
        pairKey: pairKey(current.customerId, candidate.customerId),
      });
      suggested.push({ candidateId: candidate.customerId, probability: score.probability });
    }
  }
  return {
    kind: 'matched',
    customerId: current.customerId,
    merged,
    suggested,
    keptApart,
    scores,
    blocks: hashes.length,
    skippedBlocks,
  };
};
