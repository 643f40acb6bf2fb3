import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FIELD_POLICY,
  fieldVisibility,
  may,
  PERMISSIONS,
  PERSONAL_FIELDS,
  partialValue,
  ROLES,
  rolesWith,
} from '../../../../shared/domain/access/access-policy.ts';

describe('access policy', () => {
  it('denies by default: no roles, unknown roles and look-alike names hold no permission', () => {
    for (const permission of Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[]) {
      expect(may([], permission)).toBe(false);
      expect(may(['intern', 'Admin', 'admin '], permission)).toBe(false);
      for (const role of ROLES) expect(may([role], permission)).toBe(rolesWith(permission).includes(role));
    }
  });

  it('gives a caller with several roles the union of their permissions', () => {
    expect(may(['analyst'], 'segments:members')).toBe(false);
    expect(may(['analyst', 'marketing'], 'segments:members')).toBe(true);
    expect(may(['sales'], 'customers:unmerge')).toBe(false);
  });

  it('shows each personal field to each role as the field table says, the best of several roles, hidden otherwise', () => {
    for (const role of ROLES)
      for (const field of PERSONAL_FIELDS)
        expect(fieldVisibility([role], field)).toBe(FIELD_POLICY[role][field]);
    expect(fieldVisibility(['analyst'], 'name')).toBe('hidden');
    expect(fieldVisibility(['analyst', 'sales'], 'name')).toBe('partial');
    expect(fieldVisibility(['analyst', 'service'], 'name')).toBe('clear');
    expect(fieldVisibility(['admin'], 'constructor')).toBe('hidden');
    expect(fieldVisibility(['nobody'], 'name')).toBe('hidden');
  });

  it('shows a phone as 138****1234, a date by its year and other text by its first character', () => {
    expect(partialValue('+8613812341234')).toBe('861****1234');
    expect(partialValue('138 1234 1234')).toBe('138****1234');
    expect(partialValue('1990-03-14')).toBe('1990-**-**');
    expect(partialValue('张伟')).toBe('张**');
    expect(partialValue('𠮷野家')).toBe('𠮷**');
  });

  it('never reveals more than four trailing digits or the length of what it hides', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (s) => {
        const shown = partialValue(s);
        expect(shown.length).toBeLessThanOrEqual(11);
        if (s.length > 11) expect(shown).not.toBe(s);
      }),
    );
  });
});
