import type { JsonValue } from './registry.ts';

/*
 * A deliberately small compatibility check on generated JSON Schema. A contract's "shape" is the set of
 * property paths with whether each is required; variants of a discriminated union are path segments
 * (`<type=pos.purchase>.payload.items[].quantity`). Against a committed baseline of v1:
 * - a removed property or variant breaks readers and writers that rely on it;
 * - an optional property that became required breaks producers that omit it;
 * - a new required property on an existing object breaks every existing producer.
 * New optional properties, new variants and required→optional are additive.
 */

export type ShapeEntry = 'required' | 'optional' | 'variant';
export type SchemaShape = Readonly<Record<string, ShapeEntry>>;

export type ShapeChangeKind = 'removed' | 'became-required' | 'added-required' | 'added' | 'became-optional';
export type ShapeChange = {
  readonly path: string;
  readonly kind: ShapeChangeKind;
  readonly breaking: boolean;
};

type JsonObject = { readonly [key: string]: JsonValue };

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const join = (path: string, segment: string): string => (path === '' ? segment : `${path}.${segment}`);

const constOf = (variant: JsonValue | undefined, key: string): string | undefined => {
  if (!isObject(variant) || !isObject(variant.properties)) return undefined;
  const p = variant.properties[key];
  return isObject(p) && (typeof p.const === 'string' || typeof p.const === 'number')
    ? String(p.const)
    : undefined;
};

// The discriminator: a property with a `const` in every variant, different in each. Without one, variants
// are named by position.
const variantLabels = (variants: readonly JsonValue[]): string[] => {
  const first = variants[0];
  const keys = isObject(first) && isObject(first.properties) ? Object.keys(first.properties).sort() : [];
  for (const key of keys) {
    const values = variants.map((v) => constOf(v, key));
    if (values.every((v) => v !== undefined) && new Set(values).size === values.length)
      return values.map((v) => `<${key}=${v}>`);
  }
  return variants.map((_, i) => `<#${i}>`);
};

const walk = (node: JsonValue | undefined, path: string, out: Record<string, ShapeEntry>): void => {
  if (!isObject(node)) return;
  const props = node.properties;
  if (isObject(props)) {
    const required = new Set(
      Array.isArray(node.required) ? node.required.filter((r) => typeof r === 'string') : [],
    );
    for (const key of Object.keys(props)) {
      const p = join(path, key);
      out[p] = required.has(key) ? 'required' : 'optional';
      walk(props[key], p, out);
    }
  }
  if (isObject(node.items)) walk(node.items, `${path}[]`, out);
  for (const combinator of ['oneOf', 'anyOf', 'allOf'] as const) {
    const variants = node[combinator];
    if (!Array.isArray(variants)) continue;
    const labels = variantLabels(variants);
    variants.forEach((v, i) => {
      if (!isObject(v) || !isObject(v.properties)) {
        walk(v, path, out);
        return;
      }
      const p = join(path, labels[i] ?? `<#${i}>`);
      out[p] = 'variant';
      walk(v, p, out);
    });
  }
};

/** The property paths of a JSON Schema, keys sorted. */
export const schemaShape = (schema: JsonValue): SchemaShape => {
  const out: Record<string, ShapeEntry> = {};
  walk(schema, '', out);
  return Object.fromEntries(
    Object.keys(out)
      .sort()
      .map((k) => [k, out[k] ?? 'optional']),
  );
};

const parentOf = (path: string): string => {
  const i = path.lastIndexOf('.');
  return (i < 0 ? '' : path.slice(0, i)).replace(/(\[\])+$/, '');
};

/** Every difference from `baseline` to `current`, in path order. */
export const diffSchemaShapes = (baseline: SchemaShape, current: SchemaShape): ShapeChange[] => {
  const changes: ShapeChange[] = [];
  const paths = [...new Set([...Object.keys(baseline), ...Object.keys(current)])].sort();
  for (const path of paths) {
    const before = baseline[path];
    const after = current[path];
    if (before !== undefined && after === undefined) changes.push({ path, kind: 'removed', breaking: true });
    else if (before === undefined && after !== undefined) {
      const parent = parentOf(path);
      const onExisting = parent === '' || baseline[parent] !== undefined;
      changes.push(
        after === 'required' && onExisting
          ? { path, kind: 'added-required', breaking: true }
          : { path, kind: 'added', breaking: false },
      );
    } else if (before === 'optional' && after === 'required')
      changes.push({ path, kind: 'became-required', breaking: true });
    else if (before === 'required' && after === 'optional')
      changes.push({ path, kind: 'became-optional', breaking: false });
  }
  return changes;
};

/** The breaking changes only, as `kind: path` lines. */
export const breakingChanges = (baseline: SchemaShape, current: SchemaShape): string[] =>
  diffSchemaShapes(baseline, current)
    .filter((c) => c.breaking)
    .map((c) => `${c.kind}: ${c.path}`);
