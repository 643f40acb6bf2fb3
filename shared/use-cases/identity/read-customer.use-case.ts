import { fieldVisibility, partialValue } from '../../domain/access/access-policy.ts';
import { standardiseIdentifier } from '../../domain/cleaning/envelope.cleaner.ts';
import { followMerges } from '../../domain/identity/identity-graph.ts';
import { type ComputedView, computedView } from '../../domain/profile/computed-traits.ts';
import type { CustomerProfile, ProfileTag, TraitValue } from '../../domain/profile/customer-profile.ts';
import { PII_TRAITS } from '../../domain/profile/profile-privacy.ts';
import type { CustomerScores } from '../../domain/scoring/customer-intelligence.model.ts';

export type CustomerLink = {
  readonly type: string;
  readonly rule: string;
  readonly source: string;
  readonly channel: string;
  readonly eventId: string;
  readonly at: string;
  /** The customer the link was made on, when it came in through a merge. */
  readonly viaMergedCustomer?: string;
};

export type CustomerView = {
  readonly customerId: string;
  readonly createdAt: string;
  /** Set when the id asked for was merged into this customer. */
  readonly mergedFrom?: string;
  readonly identities: readonly CustomerLink[];
  readonly merges: readonly {
    readonly customerId: string;
    readonly rule: string;
    readonly eventId: string;
    readonly at: string;
    /** A probabilistic merge's evidence, field by field (levels and weights, no values). */
    readonly explanation?: string;
  }[];
  readonly profile?: {
    readonly version: number;
    /**
     * Each trait with where it came from and when it last changed; a personal field partly shown (`masked`)
     * or left out, as the caller's roles allow.
     */
    readonly traits: Readonly<
      Record<string, { value: TraitValue; source: string; channel: string; updatedAt: string; masked?: true }>
    >;
    readonly computed: ComputedView;
    readonly tags: readonly ProfileTag[];
  };
  /** Churn risk with reasons, value tier, segment, lifetime value and memberships, when scored. */
  readonly scores?: CustomerScores;
};

/** Who is reading: their roles decide how each personal field is shown (see the access policy). */
export type CustomerReadScope = { readonly roles: readonly string[] };

/** One customer record with everything the API shows of it, read together (one query in DynamoDB). */
export type CustomerSnapshot = {
  readonly createdAt: string;
  readonly mergedInto?: string;
  readonly erasedAt?: string;
  /** Identity links of the customer and of every customer merged into it (`customerId` says whose). */
  readonly links: readonly Record<string, unknown>[];
  readonly merges: readonly Record<string, unknown>[];
  /** The profile, opened on demand: its personal fields need the customer's key unwrapped. */
  readonly profile: () => Promise<CustomerProfile | undefined>;
  readonly scores?: CustomerScores;
};

export type CustomerReadPorts = {
  readonly snapshot: (customerId: string) => Promise<CustomerSnapshot | undefined>;
  readonly ownerOf: (type: string, hash: string) => Promise<string | undefined>;
  readonly blindIndex: (purpose: string, value: string) => string;
};

/** The customer was erased on a data-subject request: nothing about them is left to show. */
export class CustomerErasedError extends Error {
  override readonly name = 'CustomerErasedError';
  constructor(
    readonly customerId: string,
    readonly erasedAt: string,
  ) {
    super(`Customer ${customerId} was erased at ${erasedAt}`);
  }
}

export const LOOKUP_TYPES = ['email', 'phone', 'deviceId', 'memberCard'] as const;
export type LookupType = (typeof LOOKUP_TYPES)[number];

const str = (x: unknown) => (typeof x === 'string' ? x : '');

/**
 * Primary course: read the customer, following merges to the survivor; list each identity link with how it
 * was made (rule, source, event, time) and the merges behind the customer. Undefined when unknown; a
 * `CustomerErasedError` when erased.
 */
export const readCustomer = async (
  customerId: string,
  ports: CustomerReadPorts,
  scope: CustomerReadScope,
): Promise<CustomerView | undefined> => {
  const { customerId: id, record: head } = await followMerges(customerId, ports.snapshot);
  if (!head) return undefined;
  if (head.erasedAt !== undefined) throw new CustomerErasedError(customerId, head.erasedAt);
  const { links, merges, scores } = head;
  const profile = await head.profile();
  return {
    customerId: id,
    createdAt: head.createdAt,
    ...(id !== customerId ? { mergedFrom: customerId } : {}),
    identities: firstLinkPerIdentifier(links).map((l) => ({
      type: str(l.type),
      rule: str(l.rule),
      source: str(l.source),
      channel: str(l.channel),
      eventId: str(l.eventId),
      at: str(l.at),
      ...(l.customerId !== id ? { viaMergedCustomer: str(l.customerId) } : {}),
    })),
    merges: merges.map((m) => ({
      customerId: str(m.mergedCustomerId),
      rule: str(m.rule),
      eventId: str(m.eventId),
      at: str(m.at),
      ...(typeof m.explanation === 'string' ? { explanation: m.explanation } : {}),
    })),
    ...(profile ? { profile: profileView(profile, scope) } : {}),
    ...(scores ? { scores } : {}),
  };
};

const profileView = (
  profile: CustomerProfile,
  scope: CustomerReadScope,
): NonNullable<CustomerView['profile']> => ({
  version: profile.version,
  traits: Object.fromEntries(
    Object.entries(profile.traits).flatMap(([k, t]) => {
      const shown = PII_TRAITS.has(k) ? fieldVisibility(scope.roles, k) : 'clear';
      if (shown === 'hidden') return [];
      const partial = shown === 'partial';
      return [
        [
          k,
          {
            value: partial ? partialValue(t.value) : t.value,
            source: t.source,
            channel: t.channel,
            updatedAt: t.occurredAt,
            ...(partial ? { masked: true as const } : {}),
          },
        ],
      ];
    }),
  ),
  computed: computedView(profile),
  tags: profile.tags,
});

/**
 * One entry per identifier: a merge re-points identifiers to the survivor and records that link too; the
 * first link is the evidence of how the identifier joined (the merge itself is listed under `merges`).
 */
const firstLinkPerIdentifier = (links: readonly Record<string, unknown>[]) => {
  const first = new Map<string, Record<string, unknown>>();
  for (const l of [...links].sort((a, b) => str(a.at).localeCompare(str(b.at)))) {
    const key = str(l.sk);
    if (!first.has(key)) first.set(key, l);
  }
  return [...first.values()];
};

/** The personal fields a view shows (in clear or partly): what an audit entry of the read names. */
export const personalFieldsShown = (view: CustomerView): string[] =>
  Object.keys(view.profile?.traits ?? {})
    .filter((k) => PII_TRAITS.has(k))
    .sort();

/** The customer an identifier belongs to, found through its blind index after the same standardisation. */
export const findCustomerByIdentifier = async (
  type: LookupType,
  raw: string,
  ports: CustomerReadPorts,
  scope: CustomerReadScope,
): Promise<
  | { readonly ok: true; readonly customer: CustomerView | undefined }
  | { readonly ok: false; readonly reason: string }
> => {
  const value = standardiseIdentifier(type, raw);
  if (!value.ok) return { ok: false, reason: value.reason };
  const owner = await ports.ownerOf(type, ports.blindIndex('identity', `${type}:${value.value.value}`));
  if (!owner) return { ok: true, customer: undefined };
  try {
    return { ok: true, customer: await readCustomer(owner, ports, scope) };
  } catch (error) {
    // An index an erasure has not reached yet: the identifier no longer belongs to anyone.
    if (error instanceof CustomerErasedError) return { ok: true, customer: undefined };
    throw error;
  }
};
