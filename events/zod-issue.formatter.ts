import type { z } from 'zod';

/*
 * Contract errors are read by channel-system engineers and stored with quarantined records, so their
 * wording is ours, not zod's: zod's default messages may change between releases, these may not.
 * Schema-level messages (e.g. "expected a positive integer") win over this map; it covers the rest.
 */

type RawIssue = Parameters<z.core.$ZodErrorMap>[0];

const describeInput = (input: unknown): string => {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'number' && Number.isNaN(input)) return 'NaN';
  const t = typeof input;
  if (t === 'object') return 'an object';
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
};

const EXPECTED_LABEL: Readonly<Record<string, string>> = {
  object: 'an object',
  record: 'an object',
  array: 'an array',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
};

const quote = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));

const oneOf = (values: readonly unknown[]): string =>
  values.length === 1 ? `expected ${quote(values[0])}` : `expected one of ${values.map(quote).join(', ')}`;

const unit = (origin: string, n: number | bigint): string => {
  const plural = Number(n) === 1 ? '' : 's';
  if (origin === 'string') return `${n} character${plural}`;
  if (origin === 'array' || origin === 'set') return `${n} item${plural}`;
  return String(n);
};

/** The per-parse error map: a stable, human-readable message for every zod issue code. */
export const contractErrorMap = (issue: RawIssue): string => {
  const missing = issue.input === undefined;
  switch (issue.code) {
    case 'invalid_type':
      if (missing) return 'is required';
      return `expected ${EXPECTED_LABEL[issue.expected] ?? issue.expected}, received ${describeInput(issue.input)}`;
    case 'invalid_value':
      return missing ? 'is required' : oneOf(issue.values);
    case 'too_small': {
      const min = issue.minimum;
      if (issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set')
        return Number(min) === 1 && issue.origin === 'string'
          ? 'must not be empty'
          : `expected at least ${unit(issue.origin, min)}`;
      return `expected a number ${issue.inclusive ? '≥' : '>'} ${min}`;
    }
    case 'too_big': {
      const max = issue.maximum;
      if (issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set')
        return `expected at most ${unit(issue.origin, max)}`;
      return `expected a number ${issue.inclusive ? '≤' : '<'} ${max}`;
    }
    case 'invalid_format':
      return issue.format === 'regex' ? 'has an invalid format' : `expected a valid ${issue.format}`;
    case 'invalid_union':
      if ('options' in issue && Array.isArray(issue.options) && issue.options.length > 0)
        return oneOf(issue.options);
      return missing ? 'is required' : 'does not match any accepted shape';
    case 'invalid_key':
      return issue.issues[0]?.message ?? 'has an invalid key';
    case 'unrecognized_keys':
      return `has unknown keys: ${issue.keys.join(', ')}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}`;
    default:
      return 'is invalid';
  }
};

const pathLabel = (path: readonly PropertyKey[]): string =>
  path.length === 0
    ? '(root)'
    : path.map((p) => (typeof p === 'symbol' ? p.toString() : String(p))).join('.');

/** `path: message` lines, in issue order, without duplicates. */
export const formatIssues = (issues: readonly z.core.$ZodIssue[]): string[] => [
  ...new Set(issues.map((i) => `${pathLabel(i.path)}: ${i.message}`)),
];

export type ContractParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reasons: string[] };

/**
 * Validates `input` against a contract schema; never throws. The error map is only attached when the
 * input has already failed: a per-parse map makes zod build a fresh context and skip its compiled fast path,
 * which doubled the cost of every valid record on the cleaning hot path.
 */
export const parseContract = <S extends z.ZodType>(
  schema: S,
  input: unknown,
): ContractParseResult<z.output<S>> => {
  const first = schema.safeParse(input);
  if (first.success) return { ok: true, value: first.data };
  const explained = schema.safeParse(input, { error: contractErrorMap });
  return explained.success
    ? { ok: true, value: explained.data }
    : { ok: false, reasons: formatIssues(explained.error.issues) };
};
