import { z } from 'zod';
import { parseContract } from '../zod-issue.formatter.ts';

/*
 * customer-unmerged v1 (detail-type `CustomerUnmerged`, source `c360`): an admin undid a merge. The merged
 * customer is active again with the identifiers that were first linked to it; the two are kept apart from
 * then on, so the next event carrying both identifiers does not merge them again. Consumers rebuild both
 * profiles from their source events. Pseudonymous: customer ids and counts, never identifier values.
 */
export const CUSTOMER_UNMERGED_DETAIL_TYPE = 'CustomerUnmerged';

const customerId = z.string().min(1).max(128);

export const customerUnmergedV1 = z.strictObject({
  specVersion: z.literal('1'),
  /** The customer the other had been merged into; it keeps its id. */
  survivorCustomerId: customerId,
  /** The customer restored, under its own id again. */
  restoredCustomerId: customerId,
  /** Identifiers pointed back at the restored customer (types only). */
  returnedIdentifierTypes: z.array(z.string().min(1).max(64)),
  /** Who asked, as the authorizer saw them (a user pool subject), and why. */
  actor: z.string().min(1).max(256),
  reason: z.string().min(1).max(1024),
  unmergedAt: z.iso.datetime({ precision: 3 }),
});
export type CustomerUnmergedV1 = z.infer<typeof customerUnmergedV1>;

export const parseCustomerUnmerged = (
  input: unknown,
):
  | { readonly ok: true; readonly event: CustomerUnmergedV1 }
  | { readonly ok: false; readonly reasons: string[] } => {
  const result = parseContract(customerUnmergedV1, input);
  return result.ok ? { ok: true, event: result.value } : result;
};
