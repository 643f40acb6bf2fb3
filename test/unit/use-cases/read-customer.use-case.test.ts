import { describe, expect, it } from 'vitest';
import {
  type CustomerReadPorts,
  findCustomerByIdentifier,
  readCustomer,
} from '../../../shared/use-cases/identity/read-customer.use-case.ts';

const link = (customerId: string, sk: string, at: string, rule: string) => ({
  customerId,
  sk,
  type: sk.split('#')[1],
  rule,
  source: 'pos',
  channel: 'pos',
  eventId: `e-${at}`,
  at,
});

const ports: CustomerReadPorts = {
  customer: async (id) =>
    ({
      old: { createdAt: '2026-01-01T00:00:00.000Z' },
      young: { createdAt: '2026-02-01T00:00:00.000Z', mergedInto: 'old' },
    })[id],
  links: async () => [
    link('old', 'LINK#phone#h1', '2026-01-01T00:00:00.000Z', 'new:phone'),
    link('young', 'LINK#email#h2', '2026-02-01T00:00:00.000Z', 'new:email'),
    // The merge re-pointed the e-mail to the survivor and recorded that link as well.
    link('old', 'LINK#email#h2', '2026-03-01T00:00:00.000Z', 'merge:phone+email'),
  ],
  merges: async () => [
    { mergedCustomerId: 'young', rule: 'merge:phone+email', eventId: 'e-m', at: '2026-03-01T00:00:00.000Z' },
  ],
  ownerOf: async (type, hash) =>
    type === 'phone' && hash === 'identity|phone:+8613800138000' ? 'young' : undefined,
  blindIndex: (purpose, value) => `${purpose}|${value}`,
};

describe('Use case: read customer', () => {
  it('follows a merge to the survivor and lists each identifier once, with how it first joined', async () => {
    const view = await readCustomer('young', ports);
    expect(view).toMatchObject({ customerId: 'old', mergedFrom: 'young' });
    expect(view?.identities.map((i) => [i.type, i.rule, i.viaMergedCustomer])).toEqual([
      ['phone', 'new:phone', undefined],
      ['email', 'new:email', 'young'],
    ]);
    expect(view?.merges).toEqual([
      { customerId: 'young', rule: 'merge:phone+email', eventId: 'e-m', at: '2026-03-01T00:00:00.000Z' },
    ]);
  });

  it('looks an identifier up after standardising it as cleaning does, and refuses what cannot be standardised', async () => {
    const found = await findCustomerByIdentifier('phone', '138 0013 8000', ports);
    expect(found.ok && found.customer?.customerId).toBe('old');
    expect(await findCustomerByIdentifier('phone', '12', ports)).toEqual({
      ok: false,
      reason: 'phone.invalid',
    });
    expect(await findCustomerByIdentifier('email', 'nobody@example.com', ports)).toEqual({
      ok: true,
      customer: undefined,
    });
  });
});
