import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  EVENT_CONTRACTS,
  type JsonValue,
  renderJsonSchemaFiles,
  toJsonSchema,
} from '../../events/registry.ts';
import {
  breakingChanges,
  diffSchemaShapes,
  type SchemaShape,
  schemaShape,
} from '../../events/schema-compatibility.checker.ts';

const eventsDir = fileURLToPath(new URL('../../events/', import.meta.url));
const baselinesDir = fileURLToPath(new URL('./baselines/', import.meta.url));

const readBaseline = async (name: string, version: number): Promise<SchemaShape> =>
  JSON.parse(await readFile(`${baselinesDir}${name}.v${version}.shape.json`, 'utf8'));

type JsonObject = { [key: string]: JsonValue };
const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema of one variant of the root `oneOf`, by its `type` const. */
const variantOf = (schema: JsonValue, type: string): JsonObject => {
  const variants = isObject(schema) && Array.isArray(schema.oneOf) ? schema.oneOf : [];
  const found = variants.find(
    (v) =>
      isObject(v) &&
      isObject(v.properties) &&
      isObject(v.properties.type) &&
      v.properties.type.const === type,
  );
  if (!isObject(found)) throw new Error(`no variant ${type}`);
  return found;
};
const propertiesOf = (node: JsonValue | undefined): JsonObject => {
  if (!isObject(node) || !isObject(node.properties)) throw new Error('no properties');
  return node.properties;
};
const requiredOf = (node: JsonObject): JsonValue[] => {
  if (!Array.isArray(node.required)) throw new Error('no required');
  return node.required;
};

const channelEnvelope = EVENT_CONTRACTS.find((c) => c.name === 'channel-envelope' && c.version === 1);

describe('Contract: JSON Schema files', () => {
  it.each(renderJsonSchemaFiles())(
    'committed $fileName equals a fresh export',
    async ({ fileName, content }) => {
      const committed = await readFile(`${eventsDir}${fileName}`, 'utf8').catch(() => '(missing)');

      // On failure: `npx tsx events/export-json-schemas.ts`, review the diff, commit it.
      expect(committed).toBe(content);
    },
  );

  it('has no schema file without a contract', async () => {
    const committed = (await readdir(`${eventsDir}schemas`)).filter((f) => f.endsWith('.json')).sort();

    expect(committed).toEqual(
      renderJsonSchemaFiles()
        .map((f) => f.fileName.replace('schemas/', ''))
        .sort(),
    );
  });

  it('exports draft 2020-12 with a stable id, keys sorted, ending in a newline', () => {
    for (const { content } of renderJsonSchemaFiles()) {
      const json = JSON.parse(content);
      expect(json.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(json.$id).toMatch(/^urn:c360:events:[a-z-]+:v\d+$/);
      expect(Object.keys(json)).toEqual(Object.keys(json).sort());
      expect(content.endsWith('}\n')).toBe(true);
    }
  });

  it('describes what producers may send for the envelope (extra keys allowed) and exactly what we emit for cleaned events', () => {
    const [envelope, cleaned] = renderJsonSchemaFiles().map((f) => f.content);

    expect(envelope).not.toContain('"additionalProperties": false');
    expect(cleaned).toContain('"additionalProperties": false');
  });
});

describe('Contract: v1 compatibility with the committed baselines', () => {
  it.each(EVENT_CONTRACTS.map((c) => ({ ...c, id: `${c.name}.v${c.version}` })))(
    '$id has no breaking change',
    async (contract) => {
      const baseline = await readBaseline(contract.name, contract.version);

      // A breaking change ships as v2 beside v1; additive ones may refresh the baseline
      // (`npx tsx events/export-json-schemas.ts --update-baselines`).
      expect(breakingChanges(baseline, schemaShape(toJsonSchema(contract)))).toEqual([]);
    },
  );
});

describe('Contract: schema shape diff', () => {
  const current = (): JsonValue => {
    if (channelEnvelope === undefined) throw new Error('channel-envelope v1 is not registered');
    return toJsonSchema(channelEnvelope);
  };

  it('records required and optional properties per variant, through arrays', () => {
    const shape = schemaShape(current());

    expect(shape['<type=pos.purchase>']).toBe('variant');
    expect(shape['<type=pos.purchase>.messageId']).toBe('required');
    expect(shape['<type=pos.purchase>.sentAt']).toBe('optional');
    expect(shape['<type=pos.purchase>.payload.items[].quantity']).toBe('required');
    expect(shape['<type=segment.message>.payload.<type=track>.event']).toBe('required');
    expect(shape['<type=segment.message>.payload.<type=page>.event']).toBe('optional');
  });

  it('flags a removed property as breaking', () => {
    const changed = current();
    const payload = propertiesOf(propertiesOf(variantOf(changed, 'pos.purchase')).payload);
    delete payload.paymentMethod;

    expect(breakingChanges(schemaShape(current()), schemaShape(changed))).toEqual([
      'removed: <type=pos.purchase>.payload.paymentMethod',
    ]);
  });

  it('flags an optional property made required as breaking', () => {
    const changed = current();
    requiredOf(variantOf(changed, 'app.event')).push('sentAt');

    expect(breakingChanges(schemaShape(current()), schemaShape(changed))).toEqual([
      'became-required: <type=app.event>.sentAt',
    ]);
  });

  it('flags a removed event type as breaking', () => {
    const changed = current();
    if (isObject(changed) && Array.isArray(changed.oneOf))
      changed.oneOf = changed.oneOf.filter((v) => v !== variantOf(changed, 'third-party.record'));

    expect(breakingChanges(schemaShape(current()), schemaShape(changed))).toContain(
      'removed: <type=third-party.record>',
    );
  });

  it('allows new optional properties, new types and required → optional', () => {
    const before: SchemaShape = { '<type=a>': 'variant', '<type=a>.x': 'required', '<type=a>.y': 'optional' };
    const after: SchemaShape = {
      '<type=a>': 'variant',
      '<type=a>.x': 'optional',
      '<type=a>.y': 'optional',
      '<type=a>.z': 'optional',
      '<type=b>': 'variant',
      '<type=b>.x': 'required',
    };

    expect(breakingChanges(before, after)).toEqual([]);
    expect(diffSchemaShapes(before, after).map((c) => `${c.kind}: ${c.path}`)).toEqual([
      'became-optional: <type=a>.x',
      'added: <type=a>.z',
      'added: <type=b>',
      'added: <type=b>.x',
    ]);
  });

  it('catches breaking changes made in zod, end to end', () => {
    const v1 = z.object({
      id: z.string(),
      note: z.string().optional(),
      tags: z.array(z.object({ k: z.string() })),
    });
    const edited = z.object({ id: z.string(), note: z.string(), tags: z.array(z.object({ v: z.string() })) });
    const shape = (s: z.ZodType): SchemaShape => schemaShape(JSON.parse(JSON.stringify(z.toJSONSchema(s))));

    expect(breakingChanges(shape(v1), shape(edited))).toEqual([
      'became-required: note',
      'removed: tags[].k',
      'added-required: tags[].v',
    ]);
  });
});
