import fc from 'fast-check';
import { expect } from 'vitest';
import type { Normalised } from '../../../../shared/domain/cleaning/normalised.ts';

/** Arbitrary junk a channel can send: any JS value, and strings of ASCII, full Unicode and graphemes. */
export const junk = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.anything(),
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.string({
      unit: fc.constantFrom(...' \t\u3000０１２３４５６７８９＋－（）.,-+:/@年月日¥$€元'.split('')),
    }),
  );

/** Asserts the normaliser returns a well-formed result for `raw` instead of throwing. */
export const expectResult = <T>(result: Normalised<T>): void => {
  expect(typeof result.ok).toBe('boolean');
  if (!result.ok) expect(result.reason).toMatch(/^[a-z]+\.[a-z-]+$/);
};

/** Asserts that a value a normaliser accepted comes back unchanged when normalised again. */
export const expectIdempotent = <T>(first: Normalised<T>, again: (value: T) => Normalised<T>): void => {
  if (first.ok) expect(again(first.value)).toEqual(first);
};

export const RUNS = { numRuns: 500 } as const;
