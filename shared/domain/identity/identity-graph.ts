import type { CleanedIdentity } from '../../../events/cleaning/cleaned-event.v1.ts';

/**
 * The deterministic part of identity resolution: which identifiers may link records into one customer,
 * and which customer survives a merge. Pure: no I/O, no clock, no randomness.
 */

/** Identifier types in precedence order: earlier ones are stronger evidence of the same person. */
export const DEFAULT_IDENTIFIER_PRECEDENCE = [
  'userId',
  'crmId',
  'memberCard',
  'wechatUnionId',
  'phone',
  'email',
  'wechatOpenId',
  'deviceId',
  'anonymousId',
] as const;

export type IdentityRules = {
  /** Types that link; custom types (`custom:<key>`) link when listed here. */
  readonly linkingTypes: readonly string[];
  /** Values never used to link: shared or test numbers and addresses, by type. */
  readonly blocked: Readonly<Record<string, readonly string[]>>;
  /**
   * Super-node guard: an identifier that has already brought this many customers together (a shop's phone
   * typed in for walk-in customers, a family tablet) no longer merges customers; it still links to its own.
   */
  readonly maxMergesPerIdentifier: number;
  /** At most this many identifiers of a type per customer; a merge beyond it is left undone. */
  readonly maxPerType: Readonly<Record<string, number>>;
};

export const DEFAULT_IDENTITY_RULES: IdentityRules = {
  linkingTypes: DEFAULT_IDENTIFIER_PRECEDENCE,
  blocked: {
    phone: ['+8613800000000', '+8613888888888', '+8618888888888', '+8613900000000'],
    email: ['test@test.com', 'noreply@example.com', 'a@a.com'],
  },
  maxMergesPerIdentifier: 3,
  maxPerType: {
    userId: 3,
    crmId: 3,
    memberCard: 5,
    wechatUnionId: 3,
    phone: 5,
    email: 5,
    wechatOpenId: 10,
    deviceId: 20,
    anonymousId: 100,
  },
};

/** Identifier counts per type, e.g. `{ phone: 2, email: 1 }`. */
export type TypeCounts = Readonly<Record<string, number>>;

/** The counts of several customers (and new identifiers) together. */
export const addCounts = (...counts: readonly TypeCounts[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const c of counts) for (const [t, n] of Object.entries(c)) out[t] = (out[t] ?? 0) + n;
  return out;
};

/** True when no type is over its limit. */
export const withinTypeLimits = (counts: TypeCounts, rules: IdentityRules): boolean =>
  Object.entries(counts).every(([t, n]) => n <= (rules.maxPerType[t] ?? Number.POSITIVE_INFINITY));

/** The identifiers of an event that may link it to a customer, strongest first, without duplicates. */
export const linkingIdentifiers = (
  identities: readonly CleanedIdentity[],
  rules: IdentityRules,
): CleanedIdentity[] => {
  const rank = (t: string) => {
    const i = rules.linkingTypes.indexOf(t);
    return i < 0 ? Number.POSITIVE_INFINITY : i;
  };
  const seen = new Set<string>();
  return identities
    .filter((i) => Number.isFinite(rank(i.type)) && !(rules.blocked[i.type] ?? []).includes(i.value))
    .filter((i) => {
      const k = `${i.type}\u0000${i.value}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => rank(a.type) - rank(b.type));
};

export type CustomerHead = { readonly customerId: string; readonly createdAt: string };

/**
 * The survivor of a merge: the customer created first (ties by id). Deterministic and order-independent,
 * so concurrent resolvers agree and a customer's id only changes when it is merged into an older one.
 */
export const survivorOf = (customers: readonly CustomerHead[]): CustomerHead | undefined =>
  [...customers].sort((a, b) =>
    a.createdAt === b.createdAt
      ? a.customerId.localeCompare(b.customerId)
      : a.createdAt.localeCompare(b.createdAt),
  )[0];

/** How long a chain of merges (`mergedInto` → `mergedInto` …) is followed before giving up on a cycle. */
export const MAX_MERGE_HOPS = 16;

/**
 * Follows `mergedInto` from a customer to the customer it became, reading each record with `read`: that
 * customer's id and record, or no record when the id (or where it leads) is unknown.
 */
export const followMerges = async <R extends { readonly mergedInto?: unknown }>(
  customerId: string,
  read: (customerId: string) => Promise<R | undefined>,
): Promise<{ readonly customerId: string; readonly record: R | undefined }> => {
  let id = customerId;
  let record = await read(id);
  for (let hop = 0; typeof record?.mergedInto === 'string' && hop < MAX_MERGE_HOPS; hop++) {
    id = record.mergedInto;
    record = await read(id);
  }
  return { customerId: id, record };
};
