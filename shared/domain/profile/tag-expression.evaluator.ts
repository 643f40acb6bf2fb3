import type { ComputedView } from './computed-traits.ts';
import { ownValue, type TraitEntry } from './customer-profile.ts';
import type { Literal, TagExpr, TagRule } from './tag-expression.parser.ts';

/**
 * What a rule is evaluated against. `now` is the clock (ISO-8601) that daysSince counts back from.
 */
export type TagRuleContext = {
  readonly traits: Readonly<Record<string, TraitEntry>>;
  readonly computed: ComputedView;
  readonly now: string;
};

type Value = Literal | readonly string[] | undefined;
/** Kleene's three-valued logic: `undefined` is "unknown" (a missing value, or a type the rule did not expect). */
type Truth = boolean | undefined;

const DAY_MS = 86_400_000;
const truth = (v: Value): Truth => (typeof v === 'boolean' ? v : undefined);

const pathValue = (e: Extract<TagExpr, { kind: 'path' }>, ctx: TagRuleContext): Value => {
  if (e.root === 'traits') return ownValue(ctx.traits, e.segments.join('.'))?.value;
  const [field = '', key] = e.segments;
  const v: unknown = ownValue(ctx.computed as Readonly<Record<string, unknown>>, field);
  if (Array.isArray(v)) return key === undefined && v.every((x) => typeof x === 'string') ? v : undefined;
  if (typeof v === 'object' && v !== null)
    return key === undefined ? undefined : ownValue(v as Readonly<Record<string, number>>, key);
  return key === undefined && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    ? v
    : undefined;
};

const evaluate = (e: TagExpr, ctx: TagRuleContext): Value => {
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'path':
      return pathValue(e, ctx);
    case 'not': {
      const t = truth(evaluate(e.operand, ctx));
      return t === undefined ? undefined : !t;
    }
    case 'and': {
      const l = truth(evaluate(e.left, ctx));
      if (l === false) return false;
      const r = truth(evaluate(e.right, ctx));
      if (r === false) return false;
      return l === true && r === true ? true : undefined;
    }
    case 'or': {
      const l = truth(evaluate(e.left, ctx));
      if (l === true) return true;
      const r = truth(evaluate(e.right, ctx));
      if (r === true) return true;
      return l === false && r === false ? false : undefined;
    }
    case 'in': {
      const l = evaluate(e.left, ctx);
      return l === undefined || Array.isArray(l) ? undefined : e.items.includes(l as Literal);
    }
    case 'compare': {
      const l = evaluate(e.left, ctx);
      const r = evaluate(e.right, ctx);
      if (l === undefined || r === undefined || Array.isArray(l) || Array.isArray(r)) return undefined;
      switch (e.op) {
        case '==':
          return l === r;
        case '!=':
          return l !== r;
        default:
          if (typeof l !== 'number' || typeof r !== 'number') return undefined;
          return e.op === '<' ? l < r : e.op === '<=' ? l <= r : e.op === '>' ? l > r : l >= r;
      }
    }
    case 'call': {
      const [a, b] = e.args.map((x) => evaluate(x, ctx));
      switch (e.fn) {
        case 'daysSince': {
          const then = typeof a === 'string' ? Date.parse(a) : Number.NaN;
          const now = Date.parse(ctx.now);
          return Number.isFinite(then) && Number.isFinite(now) ? (now - then) / DAY_MS : undefined;
        }
        case 'count':
          return Array.isArray(a) ? a.length : undefined;
        case 'has':
          return a !== undefined;
        case 'contains':
          if (Array.isArray(a)) return b === undefined ? undefined : a.includes(b as string);
          return typeof a === 'string' && typeof b === 'string' ? a.includes(b) : undefined;
      }
    }
  }
};

/**
 * Whether a profile satisfies a rule. Never throws. Unknown propagates (`not` of unknown is unknown) and
 * only a definite true counts, so a rule over a missing value never tags: `traits.city != "上海"` is false
 * for a customer without a city, and so is `not (traits.city == "上海")`.
 */
export const evaluateTagRule = (rule: TagRule, ctx: TagRuleContext): boolean =>
  evaluate(rule.expr, ctx) === true;
