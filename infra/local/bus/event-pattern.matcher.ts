/**
 * Amazon EventBridge event-pattern matching for the local bus.
 *
 * Semantics follow the EventBridge user guide ("Creating event patterns", "Content filtering in Amazon
 * EventBridge event patterns") and, where the guide is silent, aws/event-ruler, the engine behind EventBridge:
 * - A pattern is compiled into sub-rules: every `$or` forks the rule, and a key given twice keeps the last value.
 * - A sub-rule matches when every leaf condition holds. Arrays in the event are flattened, but fields taken
 *   from objects inside an array must all come from the same element (array-consistent matching).
 * - Only leaves (strings, numbers, booleans, null) are values: objects and empty arrays are "not present".
 * - String operators never match numbers, numeric operators never match strings, and `anything-but` matches
 *   any present value outside its list (including values of another type) but never a missing field.
 */

export type EventPattern = Readonly<Record<string, unknown>>;

/** A compiled pattern: answers whether one event matches. */
export type EventPatternPredicate = (event: unknown) => boolean;

export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  /** JSON path of the offending part of the pattern, e.g. `$.detail.state[0].numeric`. */
  readonly path: string;

  constructor(reason: string, path: string) {
    super(`Invalid event pattern at ${path}: ${reason}`);
    this.path = path;
  }
}

type Primitive = string | number | boolean | null;
type JsonObject = Readonly<Record<string, unknown>>;
type ValueMatcher = (value: Primitive) => boolean;

/** What one pattern array allows: any of the value matchers, and/or the field being absent. */
type LeafSpec = { readonly matchers: readonly ValueMatcher[]; readonly allowsAbsence: boolean };
type LeafCondition =
  | { readonly kind: 'values'; readonly matchers: readonly ValueMatcher[] }
  | { readonly kind: 'absent' };
type SubRule = Map<string, { readonly segments: readonly string[]; readonly spec: LeafSpec }>;

type TrieNode = {
  leaf: LeafCondition | undefined;
  readonly children: Map<string, TrieNode>;
  /** True when some child subtree must bind a value (so it picks one array element rather than checking all). */
  childrenBind: boolean;
};

const OR_KEY = '$or';
// EventBridge rejects patterns whose $or use expands to more than 1000 rule combinations.
const MAX_OR_COMBINATIONS = 1000;
const ABSENT = Symbol('absent');

// event-ruler refuses these as field names inside $or so that a mistyped operator is not read as a field.
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

const fail = (reason: string, path: string): never => {
  throw new InvalidEventPatternError(reason, path);
};

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isPrimitive = (value: unknown): value is Primitive =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

const show = (value: unknown): string => (value === undefined ? 'undefined' : JSON.stringify(value));

const joinPath = (path: string, key: string): string =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

// ---------------------------------------------------------------------------------------------------------
// String helpers
// ---------------------------------------------------------------------------------------------------------

const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/**
 * event-ruler folds case one UTF-16 unit at a time: each pattern character matches its lower- or upper-case
 * form (which may be longer, e.g. "ß" matches "ß" or "SS"). A regex without the `u` flag reproduces that.
 */
const ignoreCaseSource = (text: string): string => {
  let source = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charAt(i);
    const lower = unit.toLowerCase();
    const upper = unit.toUpperCase();
    source += lower === upper ? escapeRegExp(lower) : `(?:${escapeRegExp(lower)}|${escapeRegExp(upper)})`;
  }
  return source;
};

type IgnoreCaseMode = 'equals' | 'prefix' | 'suffix';

const ignoreCaseTest = (text: string, mode: IgnoreCaseMode): ((value: string) => boolean) => {
  const source = ignoreCaseSource(text);
  const regex = new RegExp(
    mode === 'equals' ? `^${source}$` : mode === 'prefix' ? `^${source}` : `${source}$`,
  );
  return (value) => regex.test(value);
};

/** Splits a wildcard pattern into its literal segments (one more than the number of `*`). */
const parseWildcard = (text: string, path: string): readonly string[] => {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '*') {
      if (text.charAt(i + 1) === '*') fail(`consecutive wildcard characters at position ${i}`, path);
      segments.push(current);
      current = '';
    } else if (ch === '\\') {
      const next = text.charAt(i + 1);
      // Only \* and \\ are escapes; any other use of a backslash is rejected.
      if (next !== '*' && next !== '\\') fail(`invalid escape character at position ${i}`, path);
      current += next;
      i++;
    } else {
      current += ch;
    }
  }
  segments.push(current);
  return segments;
};

/** Glob match with `*` only: greedy leftmost search is exact and linear, unlike a backtracking regex. */
const wildcardMatches = (segments: readonly string[], value: string): boolean => {
  const first = segments[0] ?? '';
  if (segments.length === 1) return value === first;
  const last = segments[segments.length - 1] ?? '';
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  const end = value.length - last.length;
  let position = first.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i] ?? '';
    const found = value.indexOf(segment, position);
    if (found === -1 || found + segment.length > end) return false;
    position = found + segment.length;
  }
  return true;
};

const wildcardTest = (text: string, path: string): ((value: string) => boolean) => {
  const segments = parseWildcard(text, path);
  return (value) => wildcardMatches(segments, value);
};

// ---------------------------------------------------------------------------------------------------------
// IP addresses
// ---------------------------------------------------------------------------------------------------------

// event-ruler only treats text of these shapes as IP literals (IPv6 with embedded IPv4 is not one).
const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

const parseIpv4 = (text: string): Uint8Array | undefined => {
  const parts = text.split('.');
  const bytes = new Uint8Array(4);
  for (const [i, part] of parts.entries()) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    bytes[i] = octet;
  }
  return bytes;
};

const parseIpv6Groups = (text: string): number[] | undefined => {
  if (text === '') return [];
  const groups: number[] = [];
  for (const group of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    groups.push(Number.parseInt(group, 16));
  }
  return groups;
};

const parseIpv6 = (text: string): Uint8Array | undefined => {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseIpv6Groups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseIpv6Groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const count = head.length + tail.length;
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  const groups = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (const [i, group] of groups.entries()) {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  }
  // Java's InetAddress turns IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) into IPv4 ones; so does event-ruler.
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
};

const parseIp = (text: string): Uint8Array | undefined => {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
};

const prefixBitsEqual = (a: Uint8Array, b: Uint8Array, bits: number): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length && bits > i * 8; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((a[i] ?? 0) & mask) !== ((b[i] ?? 0) & mask)) return false;
  }
  return true;
};

const compileCidr = (operand: unknown, path: string): ValueMatcher => {
  if (typeof operand !== 'string') return fail('cidr must be a string', path);
  const parts = operand.split('/');
  if (parts.length !== 2 || parts[1] === '')
    return fail(`malformed CIDR ${show(operand)}, one "/" required`, path);
  const [address = '', bitsText = ''] = parts;
  if (!/^[+-]?[0-9]+$/.test(bitsText))
    return fail(`malformed CIDR ${show(operand)}, mask bits must be an integer`, path);
  const bits = Number(bitsText);
  if (bits < 0) return fail(`malformed CIDR ${show(operand)}, mask bits must not be negative`, path);
  const network = parseIp(address);
  if (!network) return fail(`invalid IP address ${show(address)}`, path);
  // event-ruler (and so EventBridge) accepts at most /31 for IPv4 and /127 for IPv6.
  if (network.length === 4 && bits > 31) return fail('IPv4 mask bits must be < 32', path);
  if (network.length === 16 && bits > 127) return fail('IPv6 mask bits must be < 128', path);
  return (value) => {
    if (typeof value !== 'string') return false;
    const ip = parseIp(value);
    return ip !== undefined && prefixBitsEqual(ip, network, bits);
  };
};

/** Exact string match; a pattern that is an IP literal matches any spelling of the same address. */
const exactString = (text: string): ValueMatcher => {
  const ip = parseIp(text);
  if (!ip) return (value) => value === text;
  return (value) => {
    if (typeof value !== 'string') return false;
    if (value === text) return true;
    const other = parseIp(value);
    return other !== undefined && prefixBitsEqual(other, ip, ip.length * 8);
  };
};

// ---------------------------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------------------------

const singleKey = (expression: JsonObject, path: string): [string, unknown] => {
  const keys = Object.keys(expression);
  const [key] = keys;
  if (key === undefined) return fail('match expression name not found (empty object)', path);
  if (keys.length > 1)
    return fail(`only one key allowed in match expression, found ${keys.join(', ')}`, path);
  return [key, expression[key]];
};

/** `{"equals-ignore-case": "..."}` as the operand of prefix or suffix. */
const ignoreCaseOperand = (operand: JsonObject, operator: string, path: string): string => {
  const [key, value] = singleKey(operand, path);
  if (key !== 'equals-ignore-case') return fail(`unsupported ${operator} pattern "${key}"`, path);
  if (typeof value !== 'string')
    return fail('equals-ignore-case match pattern must be a string', joinPath(path, key));
  return value;
};

const compilePrefixOrSuffix = (
  operand: unknown,
  operator: 'prefix' | 'suffix',
  path: string,
): ValueMatcher => {
  if (typeof operand === 'string') {
    return operator === 'prefix'
      ? (value) => typeof value === 'string' && value.startsWith(operand)
      : (value) => typeof value === 'string' && value.endsWith(operand);
  }
  if (isObject(operand)) {
    const test = ignoreCaseTest(ignoreCaseOperand(operand, operator, path), operator);
    return (value) => typeof value === 'string' && test(value);
  }
  return fail(`${operator} match pattern must be a string or {"equals-ignore-case": string}`, path);
};

const compileNumeric = (operand: unknown, path: string): ValueMatcher => {
  if (!Array.isArray(operand)) return fail('value of numeric must be an array', path);
  const [operator, first, secondOperator, second] = operand;
  const at = (i: number): string => `${path}[${i}]`;
  if (operand.length === 0) return fail('numeric must not be empty', path);
  if (typeof operator !== 'string') return fail(`invalid member in numeric match: ${show(operator)}`, at(0));
  if (!['=', '<', '<=', '>', '>='].includes(operator))
    return fail(`unrecognized numeric range operator ${show(operator)}`, at(0));
  if (!isNumber(first)) return fail(`value of ${operator} must be numeric`, at(1));
  if (operator === '=' || operator === '<' || operator === '<=') {
    if (operand.length !== 2) return fail('too many elements in numeric expression', path);
    if (operator === '=') return (value) => typeof value === 'number' && value === first;
    if (operator === '<') return (value) => typeof value === 'number' && value < first;
    return (value) => typeof value === 'number' && value <= first;
  }
  const aboveBottom = operator === '>' ? (value: number) => value > first : (value: number) => value >= first;
  if (operand.length === 2) return (value) => typeof value === 'number' && aboveBottom(value);
  if (operand.length !== 4) return fail('a numeric range needs a lower and an upper bound', path);
  if (secondOperator !== '<' && secondOperator !== '<=')
    return fail(`bad numeric range operator ${show(secondOperator)}, expected < or <=`, at(2));
  if (!isNumber(second)) return fail(`value of ${secondOperator} must be numeric`, at(3));
  if (!(first < second)) return fail('bottom of a numeric range must be less than its top', path);
  const belowTop =
    secondOperator === '<' ? (value: number) => value < second : (value: number) => value <= second;
  return (value) => typeof value === 'number' && aboveBottom(value) && belowTop(value);
};

/** Operand of `anything-but: {prefix|suffix|equals-ignore-case|wildcard: ...}`: string or list of strings. */
const anythingButStringTests = (operand: JsonObject, path: string): ((value: string) => boolean)[] => {
  const [key, value] = singleKey(operand, path);
  const keyPath = joinPath(path, key);
  if (!['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(key))
    return fail(`unsupported anything-but pattern "${key}"`, keyPath);
  const items: readonly unknown[] = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && value.length === 0) return fail('anything-but list must not be empty', keyPath);
  return items.map((item, i) => {
    const itemPath = Array.isArray(value) ? `${keyPath}[${i}]` : keyPath;
    if (typeof item !== 'string') return fail(`${key} match pattern must be a string`, itemPath);
    switch (key) {
      case 'prefix':
        if (item === '') return fail('empty prefix not allowed in anything-but', itemPath);
        return (text: string) => text.startsWith(item);
      case 'suffix':
        if (item === '') return fail('empty suffix not allowed in anything-but', itemPath);
        return (text: string) => text.endsWith(item);
      case 'equals-ignore-case':
        return ignoreCaseTest(item, 'equals');
      default:
        return wildcardTest(item, itemPath);
    }
  });
};

const compileAnythingBut = (operand: unknown, path: string): ValueMatcher => {
  if (typeof operand === 'string') return (value) => !(typeof value === 'string' && value === operand);
  if (isNumber(operand)) return (value) => !(typeof value === 'number' && value === operand);
  if (Array.isArray(operand)) {
    if (operand.length === 0) return fail('anything-but list must not be empty', path);
    const strings = new Set<string>();
    const numbers = new Set<number>();
    for (const [i, item] of operand.entries()) {
      if (typeof item === 'string') strings.add(item);
      else if (isNumber(item)) numbers.add(item);
      else return fail('inside an anything-but list, only strings or numbers are supported', `${path}[${i}]`);
    }
    if (strings.size > 0 && numbers.size > 0)
      return fail('inside an anything-but list, values must be all strings or all numbers', path);
    return (value) =>
      !(
        (typeof value === 'string' && strings.has(value)) ||
        (typeof value === 'number' && numbers.has(value))
      );
  }
  if (isObject(operand)) {
    const tests = anythingButStringTests(operand, path);
    // Like the plain form, a value of another type (number, null...) is "anything but" the strings listed.
    return (value) => !(typeof value === 'string' && tests.some((test) => test(value)));
  }
  return fail(
    'value of anything-but must be a string, a number, a list of them, or an operator object',
    path,
  );
};

const compileOperator = (expression: JsonObject, path: string): ValueMatcher | typeof ABSENT => {
  const [operator, operand] = singleKey(expression, path);
  const operandPath = joinPath(path, operator);
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return compilePrefixOrSuffix(operand, operator, operandPath);
    case 'equals-ignore-case': {
      if (typeof operand !== 'string')
        return fail('equals-ignore-case match pattern must be a string', operandPath);
      const test = ignoreCaseTest(operand, 'equals');
      return (value) => typeof value === 'string' && test(value);
    }
    case 'wildcard': {
      if (typeof operand !== 'string') return fail('wildcard match pattern must be a string', operandPath);
      const test = wildcardTest(operand, operandPath);
      return (value) => typeof value === 'string' && test(value);
    }
    case 'anything-but':
      return compileAnythingBut(operand, operandPath);
    case 'numeric':
      return compileNumeric(operand, operandPath);
    case 'cidr':
      return compileCidr(operand, operandPath);
    case 'exists':
      if (operand === true) return () => true;
      if (operand === false) return ABSENT;
      return fail('exists match pattern must be either true or false', operandPath);
    default:
      return fail(`unrecognized match type "${operator}"`, operandPath);
  }
};

const compileLeaf = (values: readonly unknown[], path: string): LeafSpec => {
  if (values.length === 0) return fail('empty arrays are not allowed', path);
  const matchers: ValueMatcher[] = [];
  let allowsAbsence = false;
  for (const [i, item] of values.entries()) {
    const itemPath = `${path}[${i}]`;
    if (typeof item === 'string') matchers.push(exactString(item));
    else if (isNumber(item)) matchers.push((value) => typeof value === 'number' && value === item);
    else if (item === null || typeof item === 'boolean') matchers.push((value) => value === item);
    else if (isObject(item)) {
      const matcher = compileOperator(item, itemPath);
      if (matcher === ABSENT) allowsAbsence = true;
      else matchers.push(matcher);
    } else fail('match value must be a string, number, true, false, null or an operator object', itemPath);
  }
  return { matchers, allowsAbsence };
};

// ---------------------------------------------------------------------------------------------------------
// Pattern structure: objects, $or, sub-rules
// ---------------------------------------------------------------------------------------------------------

const addObject = (
  rules: SubRule[],
  node: JsonObject,
  segments: readonly string[],
  path: string,
  insideOr: boolean,
): SubRule[] => {
  const keys = Object.keys(node);
  if (keys.length === 0) return fail('empty objects are not allowed', path);
  let current = rules;
  for (const key of keys) {
    const value = node[key];
    const keyPath = joinPath(path, key);
    if (key === OR_KEY) {
      current = addOr(current, value, segments, keyPath);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key))
      return fail(`"${key}" is a reserved keyword and cannot be used as a field name inside $or`, keyPath);
    const childSegments = [...segments, key];
    if (Array.isArray(value)) {
      const spec = compileLeaf(value, keyPath);
      const id = JSON.stringify(childSegments);
      // A path given again (e.g. by a $or branch) replaces the earlier one, as in EventBridge.
      for (const rule of current) rule.set(id, { segments: childSegments, spec });
    } else if (isObject(value)) {
      current = addObject(current, value, childSegments, keyPath, insideOr);
    } else {
      return fail(`"${key}" must be an object or an array, got ${show(value)}`, keyPath);
    }
  }
  return current;
};

const addOr = (rules: SubRule[], value: unknown, segments: readonly string[], path: string): SubRule[] => {
  if (!Array.isArray(value)) return fail('$or must be an array of objects', path);
  if (value.length < 2) return fail('$or must have at least 2 alternatives', path);
  const combined: SubRule[] = [];
  for (const [i, alternative] of value.entries()) {
    const altPath = `${path}[${i}]`;
    if (!isObject(alternative)) return fail('only JSON objects are allowed in $or', altPath);
    const forked = rules.map((rule) => new Map(rule));
    combined.push(...addObject(forked, alternative, segments, altPath, true));
    if (combined.length > MAX_OR_COMBINATIONS)
      return fail(`$or results in more than ${MAX_OR_COMBINATIONS} rule combinations`, path);
  }
  return combined;
};

const newNode = (): TrieNode => ({ leaf: undefined, children: new Map(), childrenBind: false });

/** Returns whether the subtree binds a value (has a condition other than "absent"). */
const markBinding = (node: TrieNode): boolean => {
  let childrenBind = false;
  for (const child of node.children.values()) if (markBinding(child)) childrenBind = true;
  node.childrenBind = childrenBind;
  return childrenBind || node.leaf?.kind === 'values';
};

/** One trie per way of reading the sub-rule: a list mixing values with exists:false is either-or. */
const toTries = (rule: SubRule): TrieNode[] => {
  let variants: { readonly segments: readonly string[]; readonly leaf: LeafCondition }[][] = [[]];
  for (const { segments, spec } of rule.values()) {
    const options: LeafCondition[] = [];
    if (spec.matchers.length > 0) options.push({ kind: 'values', matchers: spec.matchers });
    if (spec.allowsAbsence) options.push({ kind: 'absent' });
    variants = variants.flatMap((variant) => options.map((leaf) => [...variant, { segments, leaf }]));
  }
  return variants.map((variant) => {
    const root = newNode();
    for (const { segments, leaf } of variant) {
      let node = root;
      for (const segment of segments) {
        let child = node.children.get(segment);
        if (!child) {
          child = newNode();
          node.children.set(segment, child);
        }
        node = child;
      }
      node.leaf = leaf;
    }
    markBinding(root);
    return root;
  });
};

// ---------------------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------------------

/** Flattens (nested) arrays into their leaf values and their objects. */
const collectArrayItems = (
  array: readonly unknown[],
  primitives: Primitive[],
  objects: JsonObject[],
): void => {
  const stack: (readonly unknown[])[] = [array];
  for (let items = stack.pop(); items !== undefined; items = stack.pop()) {
    for (const item of items) {
      if (Array.isArray(item)) stack.push(item);
      else if (isPrimitive(item)) primitives.push(item);
      else if (isObject(item)) objects.push(item);
    }
  }
};

const leafHolds = (leaf: LeafCondition, primitives: readonly Primitive[]): boolean =>
  leaf.kind === 'absent'
    ? primitives.length === 0
    : primitives.some((value) => leaf.matchers.some((matcher) => matcher(value)));

const childrenHold = (node: TrieNode, object: JsonObject | undefined): boolean => {
  for (const [key, child] of node.children) {
    const value = object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;
    if (!matchNode(child, value)) return false;
  }
  return true;
};

const matchNode = (node: TrieNode, value: unknown): boolean => {
  if (!Array.isArray(value)) {
    if (node.leaf && !leafHolds(node.leaf, isPrimitive(value) ? [value] : [])) return false;
    return childrenHold(node, isObject(value) ? value : undefined);
  }
  const primitives: Primitive[] = [];
  const objects: JsonObject[] = [];
  collectArrayItems(value, primitives, objects);
  if (node.leaf && !leafHolds(node.leaf, primitives)) return false;
  if (node.children.size === 0) return true;
  // Fields bound below must come from one element; "absent" conditions alone must hold in every element.
  return node.childrenBind
    ? objects.some((object) => childrenHold(node, object))
    : objects.every((object) => childrenHold(node, object));
};

// ---------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------

/** Validates and compiles a pattern once; the predicate never throws, whatever the event. */
export function compileEventPattern(pattern: unknown): EventPatternPredicate {
  if (!isObject(pattern)) return fail(`an event pattern must be a JSON object, got ${show(pattern)}`, '$');
  const tries = addObject([new Map()], pattern, [], '$', false).flatMap(toTries);
  return (event) => isObject(event) && tries.some((root) => childrenHold(root, event));
}

export function validateEventPattern(pattern: unknown): asserts pattern is EventPattern {
  compileEventPattern(pattern);
}

// Patterns are treated as immutable, so each is compiled once.
const compiled = new WeakMap<object, EventPatternPredicate>();

export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  let predicate = compiled.get(pattern);
  if (!predicate) {
    predicate = compileEventPattern(pattern);
    compiled.set(pattern, predicate);
  }
  return predicate(event);
}
