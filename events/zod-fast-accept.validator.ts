import type { z } from 'zod';

/*
 * A fast accept path for a zod schema: compiled once from the schema's own definition (so it cannot drift
 * from it), it returns what `schema.safeParse(input).data` would (same keys in the same order, unknown keys
 * stripped or kept as the schema says) when the input is certainly valid, and `undefined` otherwise. It never
 * explains a rejection: callers run zod on whatever it does not accept, so error messages stay zod's (and the
 * contract error map's).
 *
 * It is conservative: any schema kind, check or modifier it does not know (transforms, defaults, coercion,
 * formats other than a plain regex, async refinements…) compiles to "not accepted", and so do inputs whose
 * zod output would need care to reproduce (a `__proto__` key, an own key whose value is `undefined`,
 * non-plain records, sparse arrays). Such inputs simply take zod's path.
 *
 * Why: zod's generic machinery (payload objects, issue arrays, a call per check) costs several microseconds
 * per channel envelope on the ingest hot path, where nearly every record is valid. Like zod's own JIT, each
 * object is compiled to straight-line code (`new Function`) with constant keys, scalar checks inlined, so
 * every property access stays monomorphic.
 */

/** Returned by a compiled part that does not accept its input. */
const NO: unique symbol = Symbol('not accepted');
type Accept = (input: unknown) => unknown;

/** The parts of zod's internal definitions this compiler reads; anything else makes it give up. */
type Def = {
  readonly type: string;
  readonly checks?: readonly z.core.$ZodType[];
  readonly coerce?: boolean;
  readonly shape?: Readonly<Record<string, z.core.$ZodType>>;
  readonly catchall?: z.core.$ZodType;
  readonly innerType?: z.core.$ZodType;
  readonly options?: readonly z.core.$ZodType[];
  readonly discriminator?: string;
  readonly unionFallback?: boolean;
  readonly element?: z.core.$ZodType;
  readonly keyType?: z.core.$ZodType;
  readonly valueType?: z.core.$ZodType;
  readonly mode?: string;
  readonly values?: readonly unknown[];
  readonly entries?: Readonly<Record<string, unknown>>;
};
type CheckDef = {
  readonly check: string;
  readonly format?: string;
  readonly pattern?: unknown;
  readonly minimum?: unknown;
  readonly maximum?: unknown;
  readonly length?: unknown;
  readonly value?: unknown;
  readonly inclusive?: boolean;
  readonly fn?: (value: unknown) => unknown;
};

const defOf = (schema: z.core.$ZodType): Def => schema._zod.def as unknown as Def;
const never: Accept = () => NO;

/** The constants generated code refers to (patterns, sets, compiled parts), as `c[i]`. */
class Constants {
  readonly values: unknown[] = [];
  ref(value: unknown): string {
    this.values.push(value);
    return `c[${this.values.length - 1}]`;
  }
}

/** Compiles `body` (which sees `c`, `NO` and its one parameter) into a function. */
const generate = (param: string, body: (c: Constants) => string): Accept => {
  const c = new Constants();
  const code = body(c);
  return new Function('c', 'NO', `return (${param}) => {\n${code}\n};`)(c.values, NO) as Accept;
};

/** JS source for a condition on the value of the expression `v`; its constants go to `c`. */
type Condition = (v: string, c: Constants) => string;
const FALSE: Condition = () => 'false';

const holds =
  (fn: (value: unknown) => unknown) =>
  (value: unknown): boolean => {
    const result = fn(value);
    return !(result instanceof Promise) && Boolean(result);
  };

const checkCondition = (check: z.core.$ZodType): Condition | undefined => {
  const d = check._zod.def as unknown as CheckDef;
  const bound = (op: string, n: unknown, ofLength = false): Condition | undefined =>
    typeof n === 'number' ? (v, c) => `${ofLength ? `${v}.length` : v} ${op} ${c.ref(n)}` : undefined;
  switch (d.check) {
    case 'min_length':
      return bound('>=', d.minimum, true);
    case 'max_length':
      return bound('<=', d.maximum, true);
    case 'length_equals':
      return bound('===', d.length, true);
    case 'greater_than':
      return bound(d.inclusive ? '>=' : '>', d.value);
    case 'less_than':
      return bound(d.inclusive ? '<=' : '<', d.value);
    case 'number_format':
      return d.format === 'safeint' ? (v) => `Number.isSafeInteger(${v})` : undefined;
    case 'string_format': {
      const pattern = d.pattern;
      if (d.format !== 'regex' || !(pattern instanceof RegExp)) return undefined;
      // As zod runs it: from the start, whatever the flags.
      return (v, c) => {
        const p = c.ref(pattern);
        return `(${p}.lastIndex = 0, ${p}.test(${v}))`;
      };
    }
    case 'custom': {
      const fn = d.fn;
      return fn === undefined ? undefined : (v, c) => `${c.ref(holds(fn))}(${v})`;
    }
    default:
      return undefined;
  }
};

/** The checks zod runs on the schema's output; a format type such as `z.email()` is itself one of them. */
const checksOf = (schema: z.core.$ZodType): readonly z.core.$ZodType[] => {
  const checks = defOf(schema).checks ?? [];
  return schema._zod.traits.has('$ZodCheck') ? [schema, ...checks] : checks;
};

/** All of the schema's checks as one condition, or undefined if one is unknown. */
const checksCondition = (schema: z.core.$ZodType): Condition | undefined => {
  const conditions = checksOf(schema).map(checkCondition);
  const known = conditions.filter((x): x is Condition => x !== undefined);
  if (known.length !== conditions.length) return undefined;
  return (v, c) => (known.length === 0 ? 'true' : known.map((condition) => condition(v, c)).join(' && '));
};

const isPlainUnion = (schema: z.core.$ZodType): boolean => {
  const traits = schema._zod.traits;
  return !traits.has('$ZodXor') && !traits.has('$ZodDiscriminatedUnion');
};

/**
 * For schemas whose output is their input (scalars, literals, and optionals and unions of them): the
 * condition under which zod accepts the value. Undefined for anything else.
 */
const leafCondition = (schema: z.core.$ZodType): Condition | undefined => {
  const def = defOf(schema);
  let base: Condition | undefined;
  switch (def.type) {
    case 'string':
      base = (v) => `typeof ${v} === 'string'`;
      break;
    case 'number':
      base = (v) => `(typeof ${v} === 'number' && Number.isFinite(${v}))`;
      break;
    case 'boolean':
      base = (v) => `typeof ${v} === 'boolean'`;
      break;
    case 'unknown':
      base = () => 'true';
      break;
    case 'literal':
    case 'enum': {
      const values = def.type === 'literal' ? (def.values ?? []) : Object.values(def.entries ?? {});
      // Numeric enums carry reverse mappings zod leaves out: only string enums are reproduced here.
      if (def.type === 'enum' && values.some((x) => typeof x !== 'string')) return FALSE;
      const set = new Set(values);
      base = (v, c) => `${c.ref(set)}.has(${v})`;
      break;
    }
    case 'optional': {
      if (schema._zod.optin !== 'optional' || def.innerType === undefined) return FALSE;
      const inner = leafCondition(def.innerType);
      if (inner === undefined) return undefined;
      base = (v, c) => `(${v} === undefined || ${inner(v, c)})`;
      break;
    }
    case 'union': {
      if (!isPlainUnion(schema)) return undefined;
      const options = (def.options ?? []).map(leafCondition);
      const leaves = options.filter((x): x is Condition => x !== undefined);
      if (leaves.length === 0 || leaves.length !== options.length) return undefined;
      // Every option outputs its input, so which one accepts does not matter.
      base = (v, c) => `(${leaves.map((option) => option(v, c)).join(' || ')})`;
      break;
    }
    default:
      return undefined;
  }
  const checks = checksCondition(schema);
  if (def.coerce || checks === undefined) return FALSE;
  return (v, c) => `(${base(v, c)} && ${checks(v, c)})`;
};

/** Statements that validate `v` in place (replacing it by its output), or return NO. */
const acceptInPlace = (schema: z.core.$ZodType, c: Constants): string => {
  const leaf = leafCondition(schema);
  return leaf !== undefined
    ? `if (!(${leaf('v', c)})) return NO;`
    : `v = ${c.ref(compile(schema))}(v); if (v === NO) return NO;`;
};

/** Optional in and out: an absent key is left out of the output. */
const isOptional = (schema: z.core.$ZodType): boolean =>
  schema._zod.optin === 'optional' && schema._zod.optout === 'optional';

const compileObject = (def: Def): Accept => {
  const shape = def.shape ?? {};
  const keys = Object.keys(shape);
  if (keys.includes('__proto__') || Object.getOwnPropertySymbols(shape).length > 0) return never;
  const catchall = def.catchall === undefined ? undefined : defOf(def.catchall).type;
  // Unknown keys stripped (no catchall) or kept as they are (`unknown`); strict and typed catchalls: zod.
  if (catchall !== undefined && catchall !== 'unknown') return never;
  const known = new Set(keys);
  return generate('input', (c) => {
    const lines = [
      `if (typeof input !== 'object' || input === null || Array.isArray(input)) return NO;`,
      'const out = {};',
      'let v;',
    ];
    for (const key of keys) {
      const schema = shape[key] as z.core.$ZodType;
      const k = JSON.stringify(key);
      const optional = isOptional(schema);
      // Absent and optional: left out. Present as `undefined`: zod keeps the key; that is left to zod.
      const absent = optional ? `if (${k} in input) return NO;` : 'return NO;';
      // Present, an optional value is its inner schema's business.
      const { type, innerType } = defOf(schema);
      const present =
        optional && type === 'optional' && innerType && !checksOf(schema).length ? innerType : schema;
      lines.push(
        `v = input[${k}];`,
        `if (v === undefined) { ${absent} } else { ${acceptInPlace(present, c)} out[${k}] = v; }`,
      );
    }
    if (catchall === 'unknown')
      lines.push(
        `for (const key in input) {`,
        `  if (${c.ref(known)}.has(key)) continue;`,
        `  if (key === '__proto__') return NO;`,
        `  out[key] = input[key];`,
        `}`,
      );
    lines.push('return out;');
    return lines.join('\n');
  });
};

const compileRecord = (def: Def): Accept => {
  if (def.mode !== undefined && def.mode !== 'strict') return never;
  const { keyType, valueType } = def;
  if (keyType === undefined || valueType === undefined || keyType._zod.values !== undefined) return never;
  const key = leafCondition(keyType);
  if (key === undefined || defOf(keyType).type !== 'string') return never;
  return generate(
    'input',
    (c) => `
if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype) return NO;
if (Object.hasOwn(input, 'constructor') || Object.getOwnPropertySymbols(input).length > 0) return NO;
const out = {};
for (const key of Object.keys(input)) {
  if (key === '__proto__' || !(${key('key', c)})) return NO;
  let v = input[key];
  ${acceptInPlace(valueType, c)}
  out[key] = v;
}
return out;`,
  );
};

const compileArray = (def: Def): Accept => {
  const element = def.element;
  if (element === undefined) return never;
  return generate(
    'input',
    (c) => `
if (!Array.isArray(input)) return NO;
const out = [];
for (let i = 0; i < input.length; i++) {
  if (!(i in input)) return NO;
  let v = input[i];
  ${acceptInPlace(element, c)}
  out.push(v);
}
return out;`,
  );
};

const compileUnion = (schema: z.core.$ZodType, def: Def): Accept => {
  const options = def.options ?? [];
  const disc = def.discriminator;
  if (schema._zod.traits.has('$ZodXor') || options.length === 0) return never;
  if (disc === undefined) {
    const accepts = options.map(compile);
    // The first option that accepts wins, as in zod.
    return (input) => {
      for (const accept of accepts) {
        const out = accept(input);
        if (out !== NO) return out;
      }
      return NO;
    };
  }
  if (!schema._zod.traits.has('$ZodDiscriminatedUnion') || def.unionFallback) return never;
  const byTag = new Map<unknown, Accept>();
  for (const option of options) {
    const tags = (option._zod as { propValues?: Record<string, ReadonlySet<unknown>> }).propValues?.[disc];
    if (tags === undefined || tags.has(undefined)) return never;
    const accept = compile(option);
    for (const tag of tags) {
      if (byTag.has(tag)) return never;
      byTag.set(tag, accept);
    }
  }
  return (input) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return NO;
    const accept = byTag.get((input as Record<string, unknown>)[disc]);
    return accept === undefined ? NO : accept(input);
  };
};

const compileStructure = (schema: z.core.$ZodType, def: Def): Accept => {
  switch (def.type) {
    case 'object':
      return compileObject(def);
    case 'record':
      return compileRecord(def);
    case 'array':
      return compileArray(def);
    case 'union':
      return compileUnion(schema, def);
    case 'optional': {
      if (schema._zod.optin !== 'optional' || def.innerType === undefined) return never;
      const inner = compile(def.innerType);
      return (input) => (input === undefined ? undefined : inner(input));
    }
    default:
      return never;
  }
};

// A part shared by several schemas (the envelope fields of every event type) is compiled once.
const compiled = new WeakMap<z.core.$ZodType, Accept>();
const compile = (schema: z.core.$ZodType): Accept => {
  let accept = compiled.get(schema);
  if (accept === undefined) {
    accept = compileSchema(schema);
    compiled.set(schema, accept);
  }
  return accept;
};

const compileSchema = (schema: z.core.$ZodType): Accept => {
  const leaf = leafCondition(schema);
  if (leaf !== undefined) return generate('v', (c) => `return ${leaf('v', c)} ? v : NO;`);
  const def = defOf(schema);
  const checks = checksCondition(schema);
  if (def.coerce || checks === undefined) return never;
  const accept = compileStructure(schema, def);
  if (checksOf(schema).length === 0) return accept;
  // Refinements run on the output, as in zod.
  return generate(
    'input',
    (c) => `const v = ${c.ref(accept)}(input); return v !== NO && ${checks('v', c)} ? v : NO;`,
  );
};

// Where code generation is disallowed (`--disallow-code-generation-from-strings`, a strict CSP), zod alone.
const compileOrGiveUp = (schema: z.core.$ZodType): Accept => {
  try {
    return compile(schema);
  } catch {
    return never;
  }
};

/**
 * Compiles `schema` into a function that returns zod's output for an input it certainly accepts, and
 * `undefined` for anything else (invalid, or beyond what the fast path reproduces): run zod then.
 */
export const fastAcceptValidator = <S extends z.core.$ZodType>(
  schema: S,
): ((input: unknown) => z.output<S> | undefined) => {
  // Compiled on first use: a module that never validates pays nothing at load.
  let accept: Accept | undefined;
  return (input) => {
    accept ??= compileOrGiveUp(schema);
    const out = accept(input);
    return out === NO ? undefined : (out as z.output<S>);
  };
};
