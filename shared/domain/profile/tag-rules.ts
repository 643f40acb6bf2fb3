import { type ProfileTag, TAG_FAMILIES, type TagFamily } from './customer-profile.ts';
import { evaluateTagRule, type TagRuleContext } from './tag-expression.evaluator.ts';
import { parseTagRule, type TagRule, TagRuleError } from './tag-expression.parser.ts';

/**
 * A tag definition, built in or custom. `weight` is in [0, 1]: how strongly the tag characterises the
 * customer, for ranking and scoring downstream — 1 for facts (basic tags), less for heuristics and
 * predictions. `rule` is in the tag rule language (tag-expression.parser.ts).
 */
export type TagDefinition = {
  readonly name: string;
  readonly family: TagFamily;
  readonly weight: number;
  readonly rule: string;
  readonly description?: string;
};

/** A validated definition with its parsed rule. */
export type CompiledTag = TagDefinition & { readonly compiled: TagRule };

/** A tag name: kebab-case, 1-64 characters. */
export const TAG_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * The seed's tags. Money is in minor units of one currency: 1_000_000 fen is ¥10,000. A deployment in
 * another currency replaces `high-value` (see `highValueRule`). `frequency` is purchases over the
 * customer's lifetime: the profile keeps no per-period counts.
 */
export const highValueRule = (currency = 'CNY', minMinor = 1_000_000): string =>
  `daysSince(computed.lastPurchaseAt) <= 30 and computed.purchaseCount >= 5 and computed.spend.${currency} >= ${minMinor}`;

export const BUILT_IN_TAGS: readonly TagDefinition[] = [
  { name: 'has-email', family: 'basic', weight: 1, rule: 'contains(computed.identifierTypes, "email")' },
  { name: 'has-phone', family: 'basic', weight: 1, rule: 'contains(computed.identifierTypes, "phone")' },
  { name: 'multi-channel', family: 'behaviour', weight: 0.8, rule: 'count(computed.channels) >= 2' },
  { name: 'complainant', family: 'behaviour', weight: 0.7, rule: 'computed.complaintCount >= 1' },
  {
    name: 'high-value',
    family: 'value',
    weight: 1,
    rule: highValueRule(),
    description: 'recency ≤ 30 days, frequency ≥ 5, monetary ≥ 10,000 (major units)',
  },
  {
    name: 'lapsing',
    family: 'predictive',
    weight: 0.5,
    rule: 'computed.purchaseCount >= 2 and daysSince(computed.lastPurchaseAt) > 90',
    description: 'a repeat buyer silent for a quarter: a heuristic until a churn model writes a score trait',
  },
];

/**
 * Validates definitions: kebab-case unique names, a known family, a weight in [0, 1] and a valid rule.
 * Throws TagRuleError naming the tag (and, for a rule, the column).
 */
export const compileTags = (definitions: readonly TagDefinition[]): readonly CompiledTag[] => {
  const seen = new Set<string>();
  return definitions.map((d) => {
    if (typeof d.name !== 'string' || !TAG_NAME.test(d.name))
      throw new TagRuleError('a tag name is 1-64 characters of a-z, 0-9 and -', undefined, String(d.name));
    if (seen.has(d.name)) throw new TagRuleError('defined twice', undefined, d.name);
    seen.add(d.name);
    if (!TAG_FAMILIES.includes(d.family))
      throw new TagRuleError(
        `unknown family '${d.family}' (known: ${TAG_FAMILIES.join(', ')})`,
        undefined,
        d.name,
      );
    if (typeof d.weight !== 'number' || !(d.weight >= 0 && d.weight <= 1))
      throw new TagRuleError('weight must be a number from 0 to 1', undefined, d.name);
    try {
      return { ...d, compiled: parseTagRule(d.rule) };
    } catch (error) {
      if (error instanceof TagRuleError) throw new TagRuleError(error.problem, error.position, d.name);
      throw error;
    }
  });
};

/**
 * The tags a profile carries now, sorted by name. A tag it already had keeps its `since`; a new one gets `now`.
 */
export const evaluateTags = (
  tags: readonly CompiledTag[],
  ctx: TagRuleContext,
  previous: readonly ProfileTag[],
): readonly ProfileTag[] =>
  tags
    .filter((t) => evaluateTagRule(t.compiled, ctx))
    .map((t) => ({
      name: t.name,
      family: t.family,
      weight: t.weight,
      since: previous.find((p) => p.name === t.name)?.since ?? ctx.now,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
