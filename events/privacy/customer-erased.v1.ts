import { z } from 'zod';
import { parseContract } from '../zod-issue.formatter.ts';
import { subjectRequestId } from './subject-request-filed.v1.ts';

/*
 * customer-erased v1 (detail-type `CustomerErased`, source `c360`): a person's data was erased by
 * crypto-shredding — their customer keys destroyed, their identity indexes, timeline, profile, scores and
 * consents deleted. Every consumer that copied data about these customer ids (a CRM, an ad audience, the
 * lake's derived tables) must erase its copy. Carries only the pseudonymous ids, which from now on point at
 * nothing. Compatibility: additive changes stay v1; anything else is v2.
 */
export const CUSTOMER_ERASED_DETAIL_TYPE = 'CustomerErased';

const customerId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'expected letters, digits or . _ : -');

export const customerErasedV1 = z.strictObject({
  specVersion: z.literal('1'),
  requestId: subjectRequestId,
  /** The customer the request was filed for. */
  customerId,
  /** Every id erased: the customer and the customers merged into them. */
  erasedCustomerIds: z.array(customerId).min(1).max(1000),
  erasedAt: z.iso.datetime({ precision: 3 }),
});
export type CustomerErasedV1 = z.infer<typeof customerErasedV1>;

export const parseCustomerErased = (
  input: unknown,
):
  | { readonly ok: true; readonly event: CustomerErasedV1 }
  | { readonly ok: false; readonly reasons: string[] } => {
  const result = parseContract(customerErasedV1, input);
  return result.ok ? { ok: true, event: result.value } : result;
};
