import { COMPUTED_FIELD_TYPES } from './computed-traits.ts';

/*
 * The tag rule language: a small, validated expression language over a profile's traits and computed traits.
 *
 *   rule       := or
 *   or         := and ('or' and)*
 *   and        := not ('and' not)*
 *   not        := 'not' not | comparison
 *   comparison := value (('==' | '!=' | '<' | '<=' | '>' | '>=') value | 'in' '[' literal (',' literal)* ']')?
 *   value      := number | string | 'true' | 'false' | path | name '(' (rule (',' rule)*)? ')' | '(' rule ')'
 *   path       := ('traits' | 'computed') ('.' segment)+
 *
 * Numbers may be negative and use `_` between digits (`1_000_000`); strings use "…" or '…' with \\ \" \' \n \t.
 * Functions: daysSince(time) → number of days (fractional) before the clock given to the evaluator;
 * contains(list-or-string, value) → membership or substring; count(list) → number; has(path) → whether the
 * value is present. A trait path joins all its segments: `traits.custom.wechatSubscribed` is the trait
 * `custom.wechatSubscribed`. Traits are untyped (a channel decides); computed traits are typed.
 *
 * parseTagRule validates at definition time and throws nothing but TagRuleError, naming the column and the
 * problem: syntax, an unknown path root, computed trait or function, a wrong argument count, or a type
 * mismatch between known types. No eval, no Function: the AST is interpreted by tag-expression.evaluator.ts.
 */

export class TagRuleError extends Error {
  /** 0-based offset in the rule source; undefined for problems of a tag definition as a whole. */
  readonly position: number | undefined;
  readonly problem: string;

  constructor(problem: string, position?: number, tag?: string) {
    const where = [
      tag === undefined ? '' : `tag '${tag}'`,
      position === undefined ? '' : `column ${position + 1}`,
    ]
      .filter(Boolean)
      .join(', ');
    super(where === '' ? problem : `${where}: ${problem}`);
    this.name = 'TagRuleError';
    this.position = position;
    this.problem = problem;
  }
}

export type Literal = string | number | boolean;
export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';
export const TAG_RULE_FUNCTIONS = ['daysSince', 'contains', 'count', 'has'] as const;
export type TagRuleFunction = (typeof TAG_RULE_FUNCTIONS)[number];
export type PathRoot = 'traits' | 'computed';

/** The checked syntax tree; `at` is the 0-based offset of the node's first or operator token. */
export type TagExpr =
  | { readonly kind: 'literal'; readonly value: Literal; readonly at: number }
  | {
      readonly kind: 'path';
      readonly root: PathRoot;
      readonly segments: readonly string[];
      readonly at: number;
    }
  | {
      readonly kind: 'call';
      readonly fn: TagRuleFunction;
      readonly args: readonly TagExpr[];
      readonly at: number;
    }
  | {
      readonly kind: 'compare';
      readonly op: ComparisonOperator;
      readonly left: TagExpr;
      readonly right: TagExpr;
      readonly at: number;
    }
  | { readonly kind: 'in'; readonly left: TagExpr; readonly items: readonly Literal[]; readonly at: number }
  | { readonly kind: 'and' | 'or'; readonly left: TagExpr; readonly right: TagExpr; readonly at: number }
  | { readonly kind: 'not'; readonly operand: TagExpr; readonly at: number };

/** A validated rule: its source and its tree. */
export type TagRule = { readonly source: string; readonly expr: TagExpr };

export const MAX_RULE_LENGTH = 2000;
const MAX_DEPTH = 32;

type Token =
  | { readonly kind: 'number'; readonly value: number; readonly at: number }
  | { readonly kind: 'string'; readonly value: string; readonly at: number }
  | { readonly kind: 'name'; readonly text: string; readonly at: number }
  | { readonly kind: 'symbol'; readonly text: string; readonly at: number }
  | { readonly kind: 'end'; readonly at: number };

const NUMBER = /-?\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*/y;
const SYMBOLS = ['==', '!=', '<=', '>=', '<', '>', '(', ')', '[', ']', ','] as const;
const MISTAKES: Readonly<Record<string, string>> = {
  '=': "use '==' to compare",
  '!': "use 'not' to negate",
  '&': "use 'and'",
  '|': "use 'or'",
};
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', "'": "'", n: '\n', t: '\t' };

const sticky = (re: RegExp, source: string, at: number): string | undefined => {
  re.lastIndex = at;
  return re.exec(source)?.[0];
};

const tokenize = (source: string): Token[] => {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const number = sticky(NUMBER, source, i);
    if (number !== undefined) {
      const value = Number(number.replaceAll('_', ''));
      if (!Number.isFinite(value)) throw new TagRuleError('number out of range', i);
      tokens.push({ kind: 'number', value, at: i });
      i += number.length;
      continue;
    }
    if (c === '"' || c === "'") {
      let value = '';
      let j = i + 1;
      for (; j < source.length && source.charAt(j) !== c; j++) {
        if (source.charAt(j) !== '\\') {
          value += source.charAt(j);
          continue;
        }
        const escaped = ESCAPES[source.charAt(j + 1)];
        if (escaped === undefined) throw new TagRuleError('unknown escape in string', j);
        value += escaped;
        j++;
      }
      if (j >= source.length) throw new TagRuleError('unterminated string', i);
      tokens.push({ kind: 'string', value, at: i });
      i = j + 1;
      continue;
    }
    const name = sticky(NAME, source, i);
    if (name !== undefined) {
      tokens.push({ kind: 'name', text: name, at: i });
      i += name.length;
      continue;
    }
    const symbol = SYMBOLS.find((s) => source.startsWith(s, i));
    if (symbol !== undefined) {
      tokens.push({ kind: 'symbol', text: symbol, at: i });
      i += symbol.length;
      continue;
    }
    throw new TagRuleError(MISTAKES[c] ?? `unexpected character '${c}'`, i);
  }
  tokens.push({ kind: 'end', at: source.length });
  return tokens;
};

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false']);
const COMPARISONS: readonly string[] = ['==', '!=', '<', '<=', '>', '>='];
const describe = (t: Token): string =>
  t.kind === 'end'
    ? 'the end of the rule'
    : t.kind === 'number'
      ? `number ${t.value}`
      : t.kind === 'string'
        ? 'a string'
        : `'${t.text}'`;
const is = (t: Token, kind: 'name' | 'symbol', text: string): boolean =>
  t.kind === kind && 'text' in t && t.text === text;

const parse = (source: string): TagExpr => {
  const tokens = tokenize(source);
  let index = 0;
  let depth = 0;
  const end: Token = { kind: 'end', at: source.length };
  const peek = (): Token => tokens[index] ?? end;
  const next = (): Token => tokens[index++] ?? end;
  const expect = (text: string): Token => {
    const t = next();
    if (!is(t, 'symbol', text)) throw new TagRuleError(`expected '${text}', found ${describe(t)}`, t.at);
    return t;
  };
  const nested = <T>(at: number, parse: () => T): T => {
    if (++depth > MAX_DEPTH) throw new TagRuleError(`nested more than ${MAX_DEPTH} levels deep`, at);
    const result = parse();
    depth--;
    return result;
  };

  const or = (): TagExpr => {
    let left = and();
    while (is(peek(), 'name', 'or')) {
      const at = next().at;
      left = { kind: 'or', left, right: and(), at };
    }
    return left;
  };
  const and = (): TagExpr => {
    let left = not();
    while (is(peek(), 'name', 'and')) {
      const at = next().at;
      left = { kind: 'and', left, right: not(), at };
    }
    return left;
  };
  const not = (): TagExpr => {
    if (!is(peek(), 'name', 'not')) return comparison();
    const at = next().at;
    return { kind: 'not', operand: nested(at, not), at };
  };
  const comparison = (): TagExpr => {
    const left = value();
    const op = peek();
    let result = left;
    if (op.kind === 'symbol' && COMPARISONS.includes(op.text)) {
      next();
      result = { kind: 'compare', op: op.text as ComparisonOperator, left, right: value(), at: op.at };
    } else if (is(op, 'name', 'in')) {
      next();
      result = { kind: 'in', left, items: list(), at: op.at };
    }
    const after = peek();
    if (result !== left && after.kind === 'symbol' && COMPARISONS.includes(after.text))
      throw new TagRuleError("comparisons do not chain: join them with 'and'", after.at);
    return result;
  };
  const list = (): Literal[] => {
    expect('[');
    const items = [literal()];
    while (is(peek(), 'symbol', ',')) {
      next();
      items.push(literal());
    }
    expect(']');
    return items;
  };
  const literal = (): Literal => {
    const t = next();
    if (t.kind === 'number' || t.kind === 'string') return t.value;
    if (is(t, 'name', 'true') || is(t, 'name', 'false')) return is(t, 'name', 'true');
    throw new TagRuleError(`expected a number, string or boolean in the list, found ${describe(t)}`, t.at);
  };
  const value = (): TagExpr => {
    const t = next();
    switch (t.kind) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: t.value, at: t.at };
      case 'symbol':
        if (t.text !== '(') break;
        return nested(t.at, () => {
          const inner = or();
          expect(')');
          return inner;
        });
      case 'name': {
        if (t.text === 'true' || t.text === 'false')
          return { kind: 'literal', value: t.text === 'true', at: t.at };
        if (KEYWORDS.has(t.text)) break;
        if (is(peek(), 'symbol', '(')) return call(t.text, t.at);
        return path(t.text, t.at);
      }
      case 'end':
        break;
    }
    throw new TagRuleError(`expected a value, found ${describe(t)}`, t.at);
  };
  const call = (name: string, at: number): TagExpr => {
    const fn = TAG_RULE_FUNCTIONS.find((f) => f === name);
    if (fn === undefined)
      throw new TagRuleError(`unknown function '${name}' (known: ${TAG_RULE_FUNCTIONS.join(', ')})`, at);
    expect('(');
    const args: TagExpr[] = [];
    nested(at, () => {
      if (is(peek(), 'symbol', ')')) return;
      args.push(or());
      while (is(peek(), 'symbol', ',')) {
        next();
        args.push(or());
      }
    });
    expect(')');
    return { kind: 'call', fn, args, at };
  };
  const path = (text: string, at: number): TagExpr => {
    const [root = '', ...segments] = text.split('.');
    if (root !== 'traits' && root !== 'computed')
      throw new TagRuleError(`unknown path root '${root}' (expected traits or computed)`, at);
    if (segments.length === 0)
      throw new TagRuleError(
        `'${root}' needs a name, e.g. ${root === 'traits' ? 'traits.city' : 'computed.purchaseCount'}`,
        at,
      );
    return { kind: 'path', root, segments, at };
  };

  const expr = or();
  const rest = peek();
  if (rest.kind !== 'end') throw new TagRuleError(`unexpected ${describe(rest)}`, rest.at);
  return expr;
};

/** What the checker knows about a value. `unknown`: a trait, whose type the channel decides. */
type ExprType = 'number' | 'string' | 'boolean' | 'time' | 'list' | 'unknown';

const literalType = (v: Literal): ExprType =>
  typeof v === 'number' ? 'number' : typeof v === 'string' ? 'string' : 'boolean';
/** Times are ISO strings: equal to a string is a fair question, ordering them is daysSince's job. */
const comparable = (a: ExprType, b: ExprType): boolean =>
  a === b ||
  a === 'unknown' ||
  b === 'unknown' ||
  (a === 'time' && b === 'string') ||
  (a === 'string' && b === 'time');

const ARITY: Readonly<Record<TagRuleFunction, number>> = { daysSince: 1, contains: 2, count: 1, has: 1 };

const typeOf = (e: TagExpr): ExprType => {
  const fail = (problem: string, at = e.at): never => {
    throw new TagRuleError(problem, at);
  };
  const condition = (x: TagExpr, what: string): void => {
    const t = typeOf(x);
    if (t !== 'boolean' && t !== 'unknown') fail(`${what} needs a condition, got a ${t}`, x.at);
  };
  switch (e.kind) {
    case 'literal':
      return literalType(e.value);
    case 'path': {
      if (e.root === 'traits') return 'unknown';
      const [field = '', key, ...extra] = e.segments;
      const type = Object.hasOwn(COMPUTED_FIELD_TYPES, field)
        ? COMPUTED_FIELD_TYPES[field as keyof typeof COMPUTED_FIELD_TYPES]
        : fail(`unknown computed trait '${field}' (known: ${Object.keys(COMPUTED_FIELD_TYPES).join(', ')})`);
      if (type === 'number-map') {
        if (key === undefined || extra.length > 0)
          fail(`computed.${field} needs exactly one key, e.g. computed.${field}.CNY`);
        return 'number';
      }
      if (key !== undefined) fail(`computed.${field} is a ${type} and has no '${key}'`);
      return type;
    }
    case 'call': {
      const arity = ARITY[e.fn];
      if (e.args.length !== arity)
        fail(`${e.fn} takes ${arity} argument${arity === 1 ? '' : 's'}, got ${e.args.length}`);
      const [first, second] = e.args;
      if (first === undefined) return fail(`${e.fn} takes an argument`);
      const t = typeOf(first);
      switch (e.fn) {
        case 'daysSince':
          if (t !== 'time' && t !== 'string' && t !== 'unknown')
            fail(`daysSince needs a time, got a ${t}`, first.at);
          return 'number';
        case 'count':
          if (t !== 'list') fail(`count needs a list such as computed.channels, got a ${t}`, first.at);
          return 'number';
        case 'has':
          if (first.kind !== 'path') fail('has needs a path such as traits.email', first.at);
          return 'boolean';
        case 'contains': {
          if (t !== 'list' && t !== 'string' && t !== 'unknown')
            fail(`contains needs a list or a string first, got a ${t}`, first.at);
          const u = second === undefined ? 'unknown' : typeOf(second);
          if (u === 'list') fail('contains needs a single value second, got a list', second?.at);
          return 'boolean';
        }
      }
      return fail(`unknown function '${e.fn}'`);
    }
    case 'compare': {
      const [l, r] = [typeOf(e.left), typeOf(e.right)];
      if (l === 'list' || r === 'list') fail(`'${e.op}' cannot compare lists; use contains() or count()`);
      if (e.op === '==' || e.op === '!=') {
        if (!comparable(l, r)) fail(`'${e.op}' compares a ${l} with a ${r}`);
      } else
        for (const t of [l, r])
          if (t === 'time') fail(`'${e.op}' cannot order times; use daysSince(…) ${e.op} <days>`);
          else if (t !== 'number' && t !== 'unknown') fail(`'${e.op}' needs numbers, got a ${t}`);
      return 'boolean';
    }
    case 'in': {
      const l = typeOf(e.left);
      if (l === 'list') fail("'in' needs a single value on its left; use contains(list, value)");
      if (l !== 'unknown' && !e.items.some((item) => comparable(l, literalType(item))))
        fail(`'in' compares a ${l} with a list that holds no ${l}`);
      return 'boolean';
    }
    case 'and':
    case 'or':
      condition(e.left, `'${e.kind}'`);
      condition(e.right, `'${e.kind}'`);
      return 'boolean';
    case 'not':
      condition(e.operand, "'not'");
      return 'boolean';
  }
};

/** Parses and type-checks a rule. Throws only TagRuleError, whatever `source` is. */
export const parseTagRule = (source: string): TagRule => {
  if (typeof source !== 'string') throw new TagRuleError('a rule must be a string');
  if (source.length > MAX_RULE_LENGTH)
    throw new TagRuleError(`longer than ${MAX_RULE_LENGTH} characters`, MAX_RULE_LENGTH);
  const expr = parse(source);
  const type = typeOf(expr);
  if (type !== 'boolean' && type !== 'unknown')
    throw new TagRuleError(`a rule must be a condition, got a ${type}`, expr.at);
  return { source, expr };
};
