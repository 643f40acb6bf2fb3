import { z } from 'zod';
import { parseContract } from '../zod-issue.formatter.ts';

/*
 * churn-risk-raised v1 (detail-type `ChurnRiskRaised`, source `c360`): a customer's churn score crossed the
 * deployment's threshold upwards — once per crossing, not on every rescore above it. Carries the score, the
 * model version and the top reasons (feature names and their values, which are counts and durations, never
 * personal data), so a journey can act on it without reading the profile. Compatibility: additive changes
 * stay v1; anything else is v2.
 */
export const CHURN_RISK_RAISED_DETAIL_TYPE = 'ChurnRiskRaised';

export const churnRiskRaisedV1 = z.strictObject({
  specVersion: z.literal('1'),
  customerId: z.string().min(1).max(128),
  /** 0–100, round(100 · calibrated probability). */
  score: z.int().min(0).max(100),
  probability: z.number().min(0).max(1),
  /** The score before, when there was one. */
  previousScore: z.int().min(0).max(100).optional(),
  threshold: z.int().min(0).max(100),
  modelVersion: z.string().min(1).max(128),
  reasons: z
    .array(
      z.strictObject({
        feature: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'expected a feature name'),
        value: z.string().max(64),
        /** Log-odds the feature adds to the score. */
        contribution: z.number(),
        text: z.string().max(256),
      }),
    )
    .max(10),
  scoredAt: z.iso.datetime({ precision: 3 }),
});
export type ChurnRiskRaisedV1 = z.infer<typeof churnRiskRaisedV1>;

export const parseChurnRiskRaised = (
  input: unknown,
):
  | { readonly ok: true; readonly event: ChurnRiskRaisedV1 }
  | { readonly ok: false; readonly reasons: string[] } => {
  const result = parseContract(churnRiskRaisedV1, input);
  return result.ok ? { ok: true, event: result.value } : result;
};
