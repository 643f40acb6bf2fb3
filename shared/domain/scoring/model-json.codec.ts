/*
 * Models as JSON text, for storage (S3) and back. Fitted models hold typed arrays (tree nodes, weights) and
 * may hold non-finite numbers (an open-ended split, an infinite recency), neither of which plain JSON
 * keeps: typed arrays become `{ "$f64": [...] }` / `{ "$i32": [...] }` / `{ "$u8": [...] }`, non-finite
 * numbers `{ "$num": "Infinity" }`, and `decodeModelJson` restores them exactly.
 */

export class ModelJsonError extends Error {
  override readonly name = 'ModelJsonError';
}

const TAGS = {
  $f64: Float64Array,
  $i32: Int32Array,
  $u8: Uint8Array,
} as const;
type Tag = keyof typeof TAGS;

const NON_FINITE: Readonly<Record<string, number>> = {
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  NaN: Number.NaN,
};

const tagOf = (value: unknown): Tag | undefined => {
  if (value instanceof Float64Array) return '$f64';
  if (value instanceof Int32Array) return '$i32';
  if (value instanceof Uint8Array) return '$u8';
  return undefined;
};

export const encodeModelJson = (model: unknown): string =>
  JSON.stringify(model, (_key, value: unknown) => {
    if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) };
    const tag = tagOf(value);
    if (tag === undefined) return value;
    const numbers = Array.from(value as ArrayLike<number>);
    // JSON would turn a non-finite element into null: tag those too.
    return { [tag]: numbers.map((n) => (Number.isFinite(n) ? n : { $num: String(n) })) };
  });

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

export const decodeModelJson = (text: string): unknown => {
  const revive = (value: unknown): unknown => {
    if (!isRecord(value) || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    if (keys.length !== 1) return value;
    const [key] = keys as [string];
    const inner = value[key];
    if (key === '$num') {
      const n = typeof inner === 'string' ? NON_FINITE[inner] : undefined;
      if (n === undefined) throw new ModelJsonError(`bad non-finite number ${JSON.stringify(inner)}`);
      return n;
    }
    if (key in TAGS) {
      if (!Array.isArray(inner)) throw new ModelJsonError(`${key} must hold an array`);
      const numbers = inner.map((n: unknown) => (typeof n === 'number' ? n : Number(revive(n))));
      return TAGS[key as Tag].from(numbers);
    }
    return value;
  };
  return JSON.parse(text, (_key, value: unknown) => revive(value));
};
