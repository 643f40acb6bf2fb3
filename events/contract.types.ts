import type { z } from 'zod';

/** A record that must satisfy a contract. */
export type ValidFixture<T = unknown> = { readonly name: string; readonly input: T };

/** A record that must be rejected, with a substring of one of the reasons it must produce. */
export type InvalidFixture = { readonly name: string; readonly input: unknown; readonly reason: string };

export type ContractParseResult = { readonly ok: true } | { readonly ok: false; readonly reasons: string[] };

/** One versioned event contract: its schema, its parser and the fixtures that pin its behaviour. */
export type EventContract = {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly schema: z.ZodType;
  /**
   * Which side of the schema the JSON Schema describes: `input` for contracts others produce (what a
   * producer may send: unknown keys allowed), `output` for contracts we produce (exactly what we emit).
   */
  readonly jsonSchemaIo: 'input' | 'output';
  readonly parse: (input: unknown) => ContractParseResult;
  readonly fixtures: { readonly valid: readonly ValidFixture[]; readonly invalid: readonly InvalidFixture[] };
};
