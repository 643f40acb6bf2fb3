import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computedView } from '../../../../shared/domain/profile/computed-traits.ts';
import { EMPTY_COMPUTED, type TraitEntry } from '../../../../shared/domain/profile/customer-profile.ts';
import {
  evaluateTagRule,
  type TagRuleContext,
} from '../../../../shared/domain/profile/tag-expression.evaluator.ts';
import {
  MAX_RULE_LENGTH,
  parseTagRule,
  TagRuleError,
} from '../../../../shared/domain/profile/tag-expression.parser.ts';
import { day } from './profile-events.helper.ts';

const trait = (value: string | number | boolean): TraitEntry => ({
  value,
  source: 'crm',
  channel: 'import',
  eventId: 'e',
  occurredAt: day(0),
});

const CTX: TagRuleContext = {
  traits: {
    city: trait('上海'),
    age: trait(34),
    vip: trait(true),
    'custom.wechatSubscribed': trait(true),
  },
  computed: computedView({
    computed: {
      ...EMPTY_COMPUTED,
      purchaseCount: 5,
      spend: { CNY: 1_200_000 },
      purchasesByCurrency: { CNY: 5 },
      itemsByCategory: { 茶叶: 4 },
      lastPurchaseAt: day(10),
      channels: ['pos', 'web'],
    },
    firstSeen: day(0),
    lastSeen: day(10),
  }),
  now: day(40),
};

const holds = (rule: string, ctx: TagRuleContext = CTX) => evaluateTagRule(parseTagRule(rule), ctx);

/** What parseTagRule throws for `rule`, or undefined. */
const errorOf = (rule: string): TagRuleError | undefined => {
  try {
    parseTagRule(rule);
    return undefined;
  } catch (error) {
    if (error instanceof TagRuleError) return error;
    throw error;
  }
};

describe('Domain: tag rule language', () => {
  it.each([
    ['traits.city == "上海"', true],
    ["traits.city != '上海'", false],
    ['traits.age >= 30 and traits.age < 40', true],
    ['traits.age > 34 or traits.vip', true],
    ['not traits.vip', false],
    ['traits.custom.wechatSubscribed == true', true],
    ['traits.city in ["北京", "上海"]', true],
    ['traits.age in [1, 2]', false],
    ['computed.purchaseCount >= 5', true],
    ['computed.spend.CNY >= 1_000_000', true],
    ['computed.spend.USD >= 0', false],
    ['computed.averageOrderValue.CNY == 240_000', true],
    ['computed.favouriteCategory == "茶叶"', true],
    ['daysSince(computed.lastPurchaseAt) == 30', true],
    ['daysSince(computed.lastPurchaseAt) <= 29.5', false],
    ['daysSince(computed.firstSeen) > 39 and daysSince(computed.lastSeen) < 31', true],
    ['contains(computed.channels, "pos") and not contains(computed.channels, "app")', true],
    ['contains(traits.city, "海")', true],
    ['count(computed.channels) == 2', true],
    ['has(traits.city) and not has(traits.email)', true],
    ['(traits.age < 0 or traits.vip) and computed.eventCount == 0', true],
    ['computed.eventCount > -1', true],
  ])('%s → %s', (rule, expected) => {
    expect(holds(rule)).toBe(expected);
  });

  it('treats a missing value as unknown: no comparison with it holds, negated or not', () => {
    for (const rule of [
      'traits.email == "a@b.co"',
      'traits.email != "a@b.co"',
      'not (traits.email == "a@b.co")',
      'traits.email in ["a@b.co"]',
      'daysSince(computed.firstPurchaseAt) > 0',
      'daysSince(computed.firstPurchaseAt) > 0 or traits.email == 1',
    ])
      expect(holds(rule), rule).toBe(false);
    // Unknown does not swallow a definite answer.
    expect(holds('traits.email == "x" or traits.vip')).toBe(true);
    expect(holds('not (traits.email == "x" and traits.age == 0)')).toBe(true);
  });

  it('answers false, not an exception, when a trait has an unexpected type', () => {
    expect(holds('traits.city > 3')).toBe(false);
    expect(holds('traits.city')).toBe(false);
    expect(holds('daysSince(traits.age) > 1')).toBe(false);
    expect(holds('traits.age == "34"')).toBe(false);
  });

  it('does not reach Object.prototype through a path', () => {
    expect(holds('has(traits.constructor) or has(traits.__proto__)')).toBe(false);
    expect(holds('has(computed.spend.constructor)')).toBe(false);
  });

  it.each([
    ['traits.city = "上海"', 13, "use '==' to compare"],
    ['traits.city == "上海', 16, 'unterminated string'],
    ['profile.city == "x"', 1, "unknown path root 'profile'"],
    ['traits == 1', 1, "'traits' needs a name"],
    ['computed.purchases > 1', 1, "unknown computed trait 'purchases'"],
    ['computed.spend > 1', 1, 'computed.spend needs exactly one key'],
    ['computed.purchaseCount.CNY > 1', 1, 'has no'],
    ['dayssince(computed.lastSeen) < 3', 1, "unknown function 'dayssince'"],
    ['daysSince(computed.purchaseCount) < 3', 11, 'daysSince needs a time, got a number'],
    ['daysSince() < 3', 1, 'daysSince takes 1 argument, got 0'],
    ['computed.purchaseCount == "5"', 24, "'==' compares a number with a string"],
    ['computed.lastSeen < 3', 19, "'<' cannot order times"],
    ['computed.favouriteCategory > "a"', 28, "'>' needs numbers, got a string"],
    ['computed.purchaseCount in ["a", "b"]', 24, "'in' compares a number with a list that holds no number"],
    ['computed.channels == "pos"', 19, "'==' cannot compare lists"],
    ['computed.purchaseCount and true', 1, "'and' needs a condition, got a number"],
    ['count(traits.city) > 1', 7, 'count needs a list'],
    ['computed.purchaseCount', 1, 'a rule must be a condition, got a number'],
    ['1 < 2 < 3', 7, 'comparisons do not chain'],
    ['traits.a == 1 traits.b == 2', 15, "unexpected 'traits.b'"],
    ['(traits.a == 1', 15, "expected ')', found the end of the rule"],
    ['traits.a in []', 14, 'expected a number, string or boolean'],
    ['traits.a == and', 13, "expected a value, found 'and'"],
    ['traits.a == 1 && traits.b', 15, "use 'and'"],
    ['traits.a == "\\x"', 14, 'unknown escape'],
    ['', 1, 'expected a value, found the end of the rule'],
  ])('rejects %j at column %i: %s', (rule, column, problem) => {
    const error = errorOf(rule);

    expect(error?.message).toContain(problem);
    expect(error?.message).toContain(`column ${column}:`);
    expect(error?.position).toBe(column - 1);
  });

  it('refuses rules that are too long or nested too deeply, with a TagRuleError', () => {
    expect(errorOf(`traits.a == "${'x'.repeat(MAX_RULE_LENGTH)}"`)?.problem).toMatch(/longer than/);
    expect(errorOf(`${'('.repeat(40)}traits.a${')'.repeat(40)}`)?.problem).toMatch(/nested more than/);
    expect(errorOf(`${'not '.repeat(40)}traits.a`)?.problem).toMatch(/nested more than/);
    expect(errorOf(`${'has('.repeat(40)}traits.a${')'.repeat(40)}`)?.problem).toMatch(/nested more than/);
  });

  it('throws nothing but TagRuleError, whatever the input', () => {
    const tokens = fc.constantFrom(
      ...[
        'traits.city',
        'computed.spend.CNY',
        'computed.channels',
        'computed.lastSeen',
        'daysSince',
        'contains',
      ],
      ...[
        'count',
        'has',
        'and',
        'or',
        'not',
        'in',
        'true',
        'false',
        '(',
        ')',
        '[',
        ']',
        ',',
        '==',
        '<',
        '>=',
      ],
      ...['"a"', "'b", '"\\', '1', '-2.5', '1_0', '9'.repeat(400), 'x', '.', '=', '!', '&', '\u3000', '上'],
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.array(tokens, { maxLength: 30 }).map((t) => t.join(' ')),
          fc.array(tokens, { maxLength: 30 }).map((t) => t.join('')),
        ),
        (source) => {
          try {
            parseTagRule(source);
          } catch (error) {
            expect(error).toBeInstanceOf(TagRuleError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('evaluates every rule that parses to a boolean without throwing, on sparse and odd profiles', () => {
    const atoms = fc.constantFrom(
      'traits.city == "x"',
      'traits.n > 1',
      'traits.constructor',
      'has(traits.city)',
      'daysSince(traits.when) < 3',
      'daysSince(computed.lastPurchaseAt) < 30',
      'contains(traits.city, "x")',
      'contains(computed.channels, traits.city)',
      'computed.spend.CNY >= 0',
      'traits.n in [1, "1", true]',
    );
    const rule = fc.letrec<{ rule: string }>((tie) => ({
      rule: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atoms,
        fc
          .tuple(tie('rule'), fc.constantFrom('and', 'or'), tie('rule'))
          .map(([a, op, b]) => `(${a}) ${op} (${b})`),
        tie('rule').map((r) => `not (${r})`),
      ),
    })).rule;
    const value = fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant('2026-01-01T00:00:00.000Z'));
    const traits = fc
      .dictionary(fc.constantFrom('city', 'n', 'when', '__proto__', 'constructor'), value)
      .map((d) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, trait(v)])));
    fc.assert(
      fc.property(rule, traits, fc.constantFrom(day(0), 'not a time'), (source, t, now) => {
        const result = evaluateTagRule(parseTagRule(source), { ...CTX, traits: t, now });
        expect(typeof result).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});
