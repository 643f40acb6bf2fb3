import { describe, expect, it } from 'vitest';
import { NORMALISATION_REASONS, ok, rejected } from '../../../../shared/domain/cleaning/normalised.ts';

describe('Domain: normalised result', () => {
  it('wraps a value and a reason in the two result shapes', () => {
    expect(ok('x')).toEqual({ ok: true, value: 'x' });
    expect(rejected('phone.invalid')).toEqual({ ok: false, reason: 'phone.invalid' });
  });

  it('lists each reason once, as a `field.kebab-case` machine code', () => {
    expect(new Set(NORMALISATION_REASONS).size).toBe(NORMALISATION_REASONS.length);
    for (const reason of NORMALISATION_REASONS) expect(reason).toMatch(/^[a-z]+\.[a-z]+(?:-[a-z]+)*$/);
  });

  it('documents the codes the normalisers are specified to return', () => {
    expect(NORMALISATION_REASONS).toEqual(
      expect.arrayContaining([
        'phone.invalid',
        'phone.empty',
        'email.invalid',
        'timestamp.unparseable',
        'timestamp.out-of-range',
        'money.invalid-amount',
        'money.unknown-currency',
        'country.unknown',
        'province.unknown',
      ]),
    );
  });
});
