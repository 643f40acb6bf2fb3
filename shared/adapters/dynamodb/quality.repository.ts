import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { QualityCounterRow } from '../../domain/ingest/quality-report.ts';

/** The daily, sharded quality counters of every source between two days (inclusive), through GSI1. */
export const readQualityCounters = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  fromDay: string,
  toDay: string,
): Promise<QualityCounterRow[]> => {
  const rows: QualityCounterRow[] = [];
  for await (const page of paginateQuery(
    { client: db },
    {
      TableName: tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p AND gsi1sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':p': 'QUALITY', ':from': fromDay, ':to': `${toDay}\uffff` },
    },
  ))
    for (const item of page.Items ?? [])
      rows.push({ ...item, source: String(item.pk).replace(/^QUALITY#/, '') });
  return rows;
};
