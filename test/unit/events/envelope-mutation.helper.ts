import fc from 'fast-check';
import {
  envelopeWithUnknownKeys,
  invalidChannelEnvelopes,
  validChannelEnvelopes,
} from '../../../events/fixtures/channel-envelope.v1.fixture.ts';

/*
 * Channel envelopes near the edge of the contract: valid fixtures with up to four mutations each (fields
 * dropped, retyped, emptied, over-long, numbers for strings and back, unknown and hostile keys added, arrays
 * emptied or overfilled). Roughly half stay valid, so properties over them see both sides of every check.
 */

type Path = readonly (string | number)[];
type Node = Record<string, unknown> | unknown[];

const VALID_SEEDS: readonly unknown[] = [
  ...validChannelEnvelopes.map((f) => f.input),
  envelopeWithUnknownKeys,
];
const INVALID_SEEDS: readonly unknown[] = invalidChannelEnvelopes.map((f) => f.input);

const clone = (x: unknown): unknown => (x === undefined ? undefined : JSON.parse(JSON.stringify(x)));
const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null;

/** Every path to a value inside `x` (the root excluded), objects and arrays included. */
const pathsOf = (x: unknown, prefix: Path = []): Path[] => {
  if (!isNode(x)) return [];
  const keys: (string | number)[] = Array.isArray(x) ? x.map((_, i) => i) : Object.keys(x);
  return keys.flatMap((k) => {
    const path = [...prefix, k];
    return [path, ...pathsOf((x as Record<string | number, unknown>)[k], path)];
  });
};

const parentOf = (root: unknown, path: Path): Node | undefined => {
  let node: unknown = root;
  for (const k of path.slice(0, -1))
    node = isNode(node) ? (node as Record<string | number, unknown>)[k] : undefined;
  return isNode(node) ? node : undefined;
};

/** Sets an own, enumerable property the way JSON.parse does, even for `__proto__`. */
const define = (node: Node, key: string | number, value: unknown): void => {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
};

const LENGTHS = [
  8, 9, 16, 17, 32, 33, 64, 65, 128, 129, 256, 257, 320, 321, 512, 513, 1024, 1025, 10_000, 10_001,
];
const interesting = fc.oneof(
  fc.constantFrom<unknown>(
    undefined,
    null,
    true,
    false,
    0,
    -0,
    -1,
    1,
    1.5,
    312,
    2 ** 53,
    2 ** 53 - 1,
    1e21,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    ' ',
    '\u3000',
    'x',
    '0',
    '1',
    '２',
    '０.００',
    '1,299.00',
    '¥2,598.00',
    '100 RMB',
    'free',
    'RMB',
    'CNY',
    'XXX',
    '+86 138-0013-8000',
    '13800138000',
    '021-6234 5678',
    'n/a',
    '2024-01-02T05:04:00.000Z',
    '2024-01-02 13:04:05',
    '2024年1月2日 13:04',
    '20240102',
    'yesterday',
    'ZhangWei@Example.COM',
    'Zhang Wei',
    '上海',
    'CN',
    'pos',
    'web',
    'POS_Shanghai',
    'pos.purchase',
    'segment.message',
    'identify',
    'track',
    'alias',
    'group',
    'inbound',
    [],
    {},
    [{}],
    { a: 1 },
  ),
  fc.constantFrom(...LENGTHS).chain((n) => fc.constantFrom('x'.repeat(n), '1'.repeat(n), '中'.repeat(n))),
  fc.string({ maxLength: 6 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
);

const KEYS = [
  'x',
  'extra',
  '__proto__',
  'constructor',
  'toString',
  'postalCode',
  'address',
  'email',
  'phone',
  'custom',
  'traits',
  'context',
  'ip',
  'userId',
  'type',
  'name',
];

const mutation = fc.oneof(
  fc.record({ op: fc.constant('keep' as const) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: interesting }),
  fc.record({
    op: fc.constant('add' as const),
    at: fc.nat(),
    key: fc.constantFrom(...KEYS),
    value: interesting,
  }),
  fc.record({ op: fc.constant('retype' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('resize' as const), at: fc.nat(), size: fc.constantFrom(0, 2, 501) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

const apply = (root: unknown, m: Mutation): void => {
  if (m.op === 'keep') return;
  const paths = pathsOf(root);
  const path = paths[m.at % Math.max(paths.length, 1)];
  if (path === undefined) return;
  const parent = parentOf(root, path);
  const key = path[path.length - 1];
  if (parent === undefined || key === undefined) return;
  const current = (parent as Record<string | number, unknown>)[key];
  switch (m.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      return;
    case 'set':
      define(parent, key, m.value);
      return;
    case 'add': {
      const target = isNode(current) && !Array.isArray(current) ? current : parent;
      if (!Array.isArray(target)) define(target, m.key, m.value);
      return;
    }
    case 'retype':
      if (typeof current === 'number') define(parent, key, String(current));
      else if (typeof current === 'string') define(parent, key, current.trim() === '' ? 0 : Number(current));
      else if (typeof current === 'boolean') define(parent, key, String(current));
      return;
    case 'resize':
      if (Array.isArray(current))
        define(
          parent,
          key,
          Array.from({ length: m.size }, (_, i) => clone(current[i % current.length])),
        );
      return;
  }
};

/** A fixture envelope (valid or not) with one to four mutations; a plain JS value, not yet JSON. */
export const mutatedEnvelope = (): fc.Arbitrary<unknown> =>
  fc
    .tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...VALID_SEEDS) },
        { weight: 1, arbitrary: fc.constantFrom(...INVALID_SEEDS) },
      ),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
    )
    .map(([seed, mutations]) => {
      const root = clone(seed);
      for (const m of mutations) apply(root, m);
      return root;
    });
