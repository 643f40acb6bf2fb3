import type { StreamDefinition } from './resource.types.ts';

/** Channel systems and the collect API write customer events here, partitioned by customer. */
export const ingestStream = {
  id: 'IngestStream',
  envVar: 'INGEST_STREAM_NAME',
  retentionHours: 24,
  localShardCount: 2,
} as const satisfies StreamDefinition;

export const streams = [ingestStream] as const satisfies readonly StreamDefinition[];
