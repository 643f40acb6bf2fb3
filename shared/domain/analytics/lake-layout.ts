/** The slice of an EventBridge event the lake keeps. */
export type LakeEvent = {
  readonly id: string;
  readonly detailType: string;
  readonly time: string;
  readonly json: string;
};

export type LakeObject = {
  readonly key: string;
  readonly body: string;
  readonly eventIds: readonly string[];
};

/** A stable digest of a string; injected so the domain stays free of platform crypto. */
export type Digest = (input: string) => string;

const safeSegment = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_');

/**
 * Groups events into Hive-style partitions (`detail_type=…/dt=YYYY-MM-DD/`) that Athena and DuckDB prune on.
 * The object name is a digest of the event ids it holds, so a redelivered batch overwrites its own object
 * instead of adding a second copy.
 */
export const layoutLakeObjects = (
  prefix: string,
  events: readonly LakeEvent[],
  digest: Digest,
): LakeObject[] => {
  const groups = new Map<string, LakeEvent[]>();
  for (const e of events) {
    const partition = `${prefix}/detail_type=${safeSegment(e.detailType)}/dt=${e.time.slice(0, 10)}`;
    const group = groups.get(partition);
    if (group) group.push(e);
    else groups.set(partition, [e]);
  }
  return [...groups].map(([partition, group]) => {
    const eventIds = group.map((e) => e.id).sort();
    return {
      key: `${partition}/${digest(eventIds.join('\n'))}.ndjson`,
      body: `${group.map((e) => e.json).join('\n')}\n`,
      eventIds,
    };
  });
};
