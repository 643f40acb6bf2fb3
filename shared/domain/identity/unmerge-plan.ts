/**
 * Undoing a merge: which side each identifier of the merged-together customer belongs to. Pure.
 *
 * An identifier belongs where it was first linked. The event that bridged two customers points the
 * identifiers it shared at the survivor and records a link there too, but the earlier link — under the
 * customer that brought the identifier in — decides. Identifiers that only ever arrived with or after the
 * merge stay with the survivor: nothing says they are the other person's.
 */

/** One `LINK#` record: an identifier linked under a customer, with when and by which rule. */
export type IdentityLink = {
  readonly customerId: string;
  readonly type: string;
  readonly hash: string;
  readonly at: string;
  readonly eventId: string;
};

export type UnmergeSide = 'survivor' | 'restored';

export type UnmergeAssignment = {
  readonly type: string;
  readonly hash: string;
  readonly side: UnmergeSide;
};

/**
 * Assigns every identifier linked anywhere under the survivor (its own links and those of every customer
 * merged into it) to a side. `restoredSubtree` is the restored customer and every customer merged into it.
 * Ties on time go to the link recorded by the earlier event id, so the answer never depends on read order.
 */
export const planUnmerge = (
  links: readonly IdentityLink[],
  restoredSubtree: ReadonlySet<string>,
): UnmergeAssignment[] => {
  const first = new Map<string, IdentityLink>();
  for (const link of links) {
    const key = `${link.type}#${link.hash}`;
    const known = first.get(key);
    if (
      known === undefined ||
      link.at < known.at ||
      (link.at === known.at && link.eventId < known.eventId) ||
      (link.at === known.at && link.eventId === known.eventId && link.customerId < known.customerId)
    )
      first.set(key, link);
  }
  return [...first.values()]
    .map((l) => ({
      type: l.type,
      hash: l.hash,
      side: restoredSubtree.has(l.customerId) ? ('restored' as const) : ('survivor' as const),
    }))
    .sort((a, b) => `${a.type}#${a.hash}`.localeCompare(`${b.type}#${b.hash}`));
};

/** True when two customers were split by an admin and must not be merged again automatically. */
export const keptApart = (
  a: { readonly customerId: string; readonly keptApart?: readonly string[] },
  b: { readonly customerId: string; readonly keptApart?: readonly string[] },
): boolean => (a.keptApart ?? []).includes(b.customerId) || (b.keptApart ?? []).includes(a.customerId);
