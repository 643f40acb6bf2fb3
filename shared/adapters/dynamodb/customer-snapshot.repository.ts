import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { CustomerProfile } from '../../domain/profile/customer-profile.ts';
import type { CustomerSnapshot } from '../../use-cases/identity/read-customer.use-case.ts';
import { customerHeadOf, customerSubtree } from './identity-graph.repository.ts';
import { scoresView, storedScoresOf } from './score.repository.ts';
import { keys } from './table-keys.ts';

/**
 * The sort keys of what a read of a customer shows, adjacent in key order under `CUSTOMER#<id>`:
 * `LINK#…`, `MERGE#…`, `P360` (profile), `PROFILE` (the record), `SCORES`. The timeline (`EVT#…`),
 * consents, blocking keys and the data key sort outside it and are not read.
 */
const FIRST_SK = 'LINK#';
const LAST_SK = 'SCORES';

/** The one query of a customer read (the api bench asks DynamoDB Local exactly this, for its floor). */
export const customerSnapshotQuery = (tableName: string, customerId: string) => ({
  TableName: tableName,
  KeyConditionExpression: 'pk = :p AND sk BETWEEN :first AND :last',
  ExpressionAttributeValues: { ':p': keys.customer(customerId).pk, ':first': FIRST_SK, ':last': LAST_SK },
  ConsistentRead: true,
});

/**
 * `CustomerSnapshot`s from the single table: one consistent query per customer instead of a read per item
 * kind, plus one per customer merged into it (whose links are listed too). The profile's personal fields
 * are opened only when asked for, through `openProfile` (the profile store's, with its vault).
 */
export const dynamoCustomerSnapshots =
  (
    db: DynamoDBDocumentClient,
    tableName: string,
    openProfile: (customerId: string, item: Record<string, unknown>) => Promise<CustomerProfile>,
  ) =>
  async (customerId: string): Promise<CustomerSnapshot | undefined> => {
    let record: Record<string, unknown> | undefined;
    let profileItem: Record<string, unknown> | undefined;
    let scoresItem: Record<string, unknown> | undefined;
    const links: Record<string, unknown>[] = [];
    const merges: Record<string, unknown>[] = [];
    for await (const page of paginateQuery({ client: db }, customerSnapshotQuery(tableName, customerId)))
      for (const item of page.Items ?? []) {
        const sk = String(item.sk);
        if (sk.startsWith('LINK#')) links.push({ ...item, customerId });
        else if (sk.startsWith('MERGE#')) merges.push(item);
        else if (sk === keys.customer(customerId).sk) record = item;
        else if (sk === keys.customerProfile360(customerId).sk) profileItem = item;
        else if (sk === keys.customerScores(customerId).sk) scoresItem = item;
      }
    if (!record) return undefined;
    // Customers merged into this one keep their own links (and may have absorbed others before).
    const subtrees = await Promise.all(
      merges.map((m) => customerSubtree(db, tableName, String(m.mergedCustomerId))),
    );
    for (const merged of subtrees) links.push(...merged.links);
    const item = profileItem;
    return {
      ...customerHeadOf(record),
      links,
      merges,
      profile: async () => (item ? openProfile(customerId, item) : undefined),
      ...(scoresItem ? { scores: scoresView(storedScoresOf(scoresItem)) } : {}),
    };
  };
