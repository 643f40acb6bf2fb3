import { z } from 'zod';
import { parseContract } from '../zod-issue.formatter.ts';

/*
 * customers-merged v1 (detail-type `CustomersMerged`, source `c360`): identity resolution merged one or more
 * customers into a surviving one. Pseudonymous: customer ids, identifier types and the rule, never values.
 */
export const CUSTOMERS_MERGED_DETAIL_TYPE = 'CustomersMerged';

export const customersMergedV1 = z.strictObject({
  specVersion: z.literal('1'),
  survivorCustomerId: z.string().min(1).max(128),
  mergedCustomerIds: z.array(z.string().min(1).max(128)).min(1),
  /** e.g. `merge:phone+memberCard`: the identifier types the merging event shared with each customer. */
  rule: z.string().min(1).max(256),
  eventId: z.string().min(1).max(128),
  source: z.string().regex(/^[a-z0-9-]{1,64}$/),
  mergedAt: z.iso.datetime({ precision: 3 }),
});
export type CustomersMergedV1 = z.infer<typeof customersMergedV1>;

export const parseCustomersMerged = (
  input: unknown,
):
  | { readonly ok: true; readonly event: CustomersMergedV1 }
  | { readonly ok: false; readonly reasons: string[] } => {
  const result = parseContract(customersMergedV1, input);
  return result.ok ? { ok: true, event: result.value } : result;
};
