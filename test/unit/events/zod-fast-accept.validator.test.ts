import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { channelEnvelopeV1, parseChannelEnvelope } from '../../../events/channel/channel-envelope.v1.ts';
import {
  envelopeWithUnknownKeys,
  validChannelEnvelopes,
} from '../../../events/fixtures/channel-envelope.v1.fixture.ts';
import { fastAcceptValidator } from '../../../events/zod-fast-accept.validator.ts';
import { parseContract } from '../../../events/zod-issue.formatter.ts';
import { mutatedEnvelope } from './envelope-mutation.helper.ts';

const acceptEnvelope = fastAcceptValidator(channelEnvelopeV1);

/** Accepted by the fast path ⇒ accepted by zod with the very same output, key order included. */
const expectZodAgrees = <S extends z.ZodType>(schema: S, accepted: unknown, input: unknown): void => {
  const zod = schema.safeParse(input);
  expect(zod.success, JSON.stringify(zod.error?.issues)).toBe(true);
  expect(accepted).toStrictEqual(zod.data);
  expect(JSON.stringify(accepted)).toBe(JSON.stringify(zod.data));
};

describe('Events: zod fast accept path', () => {
  it.each([...validChannelEnvelopes, { name: 'envelope with unknown keys', input: envelopeWithUnknownKeys }])(
    'accepts the fixture $name with exactly what zod outputs',
    ({ input }) => {
      const json = JSON.parse(JSON.stringify(input));
      const accepted = acceptEnvelope(json);
      expect(accepted).toBeDefined();
      expectZodAgrees(channelEnvelopeV1, accepted, json);
    },
  );

  it('accepts a mutated envelope only when zod does, with the same output', () => {
    fc.assert(
      fc.property(mutatedEnvelope(), (input) => {
        const accepted = acceptEnvelope(input);
        if (accepted !== undefined) expectZodAgrees(channelEnvelopeV1, accepted, input);
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves parseChannelEnvelope exactly as zod alone: same envelope, same rejection reasons', () => {
    fc.assert(
      fc.property(mutatedEnvelope(), (input) => {
        const zod = parseContract(channelEnvelopeV1, input);
        expect(parseChannelEnvelope(input)).toStrictEqual(
          zod.ok ? { ok: true, envelope: zod.value } : { ok: false, reasons: zod.reasons },
        );
      }),
      { numRuns: 500 },
    );
  });

  it('leaves to zod what it does not reproduce: present-undefined keys, __proto__ keys, sparse arrays', () => {
    const app = validChannelEnvelopes.find((f) => f.input.type === 'app.event')?.input;
    const withProto = JSON.parse('{"__proto__": 1, "a": 2}');
    expect(acceptEnvelope({ ...app, traits: undefined })).toBeUndefined();
    expect(channelEnvelopeV1.safeParse({ ...app, traits: undefined }).success).toBe(true);
    expect(acceptEnvelope({ ...app, context: withProto })).toBeUndefined();
    expect(channelEnvelopeV1.safeParse({ ...app, context: withProto }).success).toBe(true);
    const loose = fastAcceptValidator(z.array(z.unknown()));
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(loose([1, , 3])).toBeUndefined();
  });

  it('gives up on schema features it does not know rather than guess', () => {
    const schemas: z.ZodType[] = [
      z.string().transform((s) => s.trim()),
      z.string().trim(),
      z.email(),
      z.coerce.number(),
      z.string().default('x'),
      z.number().refine(async () => true),
      z.strictObject({ a: z.string() }),
      z.object({ a: z.string() }).catchall(z.number()),
      z.xor([z.string(), z.number()]),
      z.lazy(() => z.string()),
      z.string().nullable(),
    ];
    for (const schema of schemas) {
      const accept = fastAcceptValidator(schema);
      for (const input of ['a', ' a ', 'a@b.co', 1, '1', { a: 'b' }, null])
        expect(accept(input)).toBeUndefined();
    }
  });

  it('agrees with zod on arbitrary input for every construct it compiles', () => {
    const schemas: z.ZodType[] = [
      z.object({ a: z.string().min(1).max(3), b: z.number().int().nonnegative().optional() }),
      z.looseObject({ a: z.literal('x').optional() }),
      z.union([z.string().regex(/^\d+$/), z.number().positive(), z.boolean()]),
      z.record(z.string().regex(/^[a-z]+$/), z.union([z.string().max(2), z.number()])),
      z
        .array(z.object({ n: z.number().lt(10) }))
        .min(1)
        .max(3),
      z.enum(['p', 'q']),
      z.int().positive(),
      z.object({ k: z.string().optional() }).refine((o) => o.k !== 'no'),
      z.discriminatedUnion('t', [
        z.object({ t: z.literal('a'), v: z.string() }),
        z.object({ t: z.literal('b') }),
      ]),
    ];
    const value = fc.oneof(
      fc.anything(),
      fc.record(
        {
          a: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('x', 1)),
          b: fc.oneof(fc.integer(), fc.double(), fc.constant(undefined)),
          k: fc.constantFrom('no', 'yes', undefined),
          t: fc.constantFrom('a', 'b', 'c'),
          v: fc.string(),
        },
        { requiredKeys: [] },
      ),
      fc.array(fc.record({ n: fc.oneof(fc.integer(), fc.string()) }), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string({ maxLength: 3 }), fc.integer())),
    );
    for (const schema of schemas) {
      const accept = fastAcceptValidator(schema);
      fc.assert(
        fc.property(value, (input) => {
          const accepted = accept(input);
          if (accepted !== undefined) expectZodAgrees(schema, accepted, input);
        }),
        { numRuns: 500 },
      );
    }
  });
});
