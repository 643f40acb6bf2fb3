import type { TableDefinition } from './resource.types.ts';

/**
 * The single customer table. Generic key names (`pk`/`sk`, `gsiNpk`/`gsiNsk`) let every entity share it;
 * entity key patterns live with the repositories in `shared/adapters/dynamodb`.
 */
export const customerTable = {
  id: 'CustomerTable',
  envVar: 'CUSTOMER_TABLE_NAME',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: 'gsi2',
      partitionKey: { name: 'gsi2pk', type: 'S' },
      sortKey: { name: 'gsi2sk', type: 'S' },
      projection: 'ALL',
    },
  ],
  timeToLiveAttribute: 'expiresAt',
  streamView: 'NEW_AND_OLD_IMAGES',
} as const satisfies TableDefinition;
