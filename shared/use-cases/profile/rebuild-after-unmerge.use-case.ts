import type { CustomerUnmergedV1 } from '../../../events/identity/customer-unmerged.v1.ts';
import type { IdentifierKey, IdentityGraphState } from '../identity/resolve-identity.use-case.ts';
import {
  type CustomerEventRecord,
  type ProfilePorts,
  type ProfileSettings,
  rebuildCustomerProfile,
} from './update-profile.use-case.ts';

export type RebuildPorts = {
  readonly profiles: ProfilePorts;
  /** A customer and those merged into it. */
  readonly subtree: (customerId: string) => Promise<ReadonlySet<string>>;
  /** A customer's own event records (sealed events opened). */
  readonly records: (customerId: string) => Promise<readonly CustomerEventRecord[]>;
  readonly moveRecord: (record: CustomerEventRecord, to: string) => Promise<void>;
  /** Who owns each identifier now (after following merges). */
  readonly read: (keys: readonly IdentifierKey[]) => Promise<IdentityGraphState>;
};

/**
 * Primary course, after CustomerUnmerged v1:
 * 1. Collect the event records of both sides (each customer and those merged into it).
 * 2. An event filed under the survivor goes to the restored customer when its strongest identifier is that
 *    customer's now (events that arrived while the two were merged); it is re-sealed under that key.
 * 3. Rebuild both profiles from scratch from their events; ProfileUpdated v1 (cause `rebuild`) when changed.
 * Idempotent: a second run finds nothing to move and rebuilds the same profiles.
 */
export const rebuildAfterUnmerge = async (
  unmerged: Pick<CustomerUnmergedV1, 'survivorCustomerId' | 'restoredCustomerId'>,
  ports: RebuildPorts,
  settings: ProfileSettings,
  now: string,
): Promise<{ readonly moved: number; readonly survivorEvents: number; readonly restoredEvents: number }> => {
  const survivor = unmerged.survivorCustomerId;
  const restored = unmerged.restoredCustomerId;
  const [survivorSide, restoredSide] = await Promise.all([ports.subtree(survivor), ports.subtree(restored)]);
  const recordsOf = async (ids: ReadonlySet<string>) =>
    (await Promise.all([...ids].map((id) => ports.records(id)))).flat();
  const [survivorRecords, restoredRecords] = await Promise.all([
    recordsOf(survivorSide),
    recordsOf(restoredSide),
  ]);

  const strongest = survivorRecords.flatMap((r) => r.identifiers.slice(0, 1));
  const state = await ports.read(strongest);
  const keep: CustomerEventRecord[] = [];
  const move: CustomerEventRecord[] = [];
  for (const r of survivorRecords) {
    const key = r.identifiers[0];
    const owner = key && state.owners.get(`${key.type}#${key.hash}`)?.customerId;
    (owner !== undefined && restoredSide.has(owner) ? move : keep).push(r);
  }
  for (const r of move) await ports.moveRecord(r, restored);

  await rebuildCustomerProfile(
    survivor,
    keep.map((r) => r.event),
    ports.profiles,
    settings,
    now,
  );
  await rebuildCustomerProfile(
    restored,
    [...restoredRecords, ...move].map((r) => r.event),
    ports.profiles,
    settings,
    now,
  );
  return {
    moved: move.length,
    survivorEvents: keep.length,
    restoredEvents: restoredRecords.length + move.length,
  };
};
