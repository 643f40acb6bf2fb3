import { describe, expect, it } from 'vitest';
import { type CustomerProfile, emptyProfile } from '../../../shared/domain/profile/customer-profile.ts';
import {
  type CustomerReadPorts,
  type CustomerSnapshot,
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

const oldProfile: CustomerProfile = {
  ...emptyProfile('old', '2026-03-01T00:00:00.000Z'),
  version: 4,
  traits: {
    name: {
      value: '张伟',
      source: 'pos-sh',
      channel: 'pos',
      eventId: 'e1',
      occurredAt: '2026-01-01T00:00:00.000Z',
    },
    city: {
      value: 'Shanghai',
      source: 'pos-sh',
      channel: 'pos',
      eventId: 'e1',
      occurredAt: '2026-01-01T00:00:00.000Z',
    },
  },
};

const snapshots: Readonly<Record<string, CustomerSnapshot>> = {
  old: {
    createdAt: '2026-01-01T00:00:00.000Z',
    links: [
      link('old', 'LINK#phone#h1', '2026-01-01T00:00:00.000Z', 'new:phone'),
      link('young', 'LINK#email#h2', '2026-02-01T00:00:00.000Z', 'new:email'),
      // The merge re-pointed the e-mail to the survivor and recorded that link as well.
      link('old', 'LINK#email#h2', '2026-03-01T00:00:00.000Z', 'merge:phone+email'),
    ],
    merges: [
      {
        mergedCustomerId: 'young',
        rule: 'merge:phone+email',
        eventId: 'e-m',
        at: '2026-03-01T00:00:00.000Z',
      },
    ],
    profile: async () => oldProfile,
  },
  young: {
    createdAt: '2026-02-01T00:00:00.000Z',
    mergedInto: 'old',
    links: [link('young', 'LINK#email#h2', '2026-02-01T00:00:00.000Z', 'new:email')],
    merges: [],
    profile: async () => {
      throw new Error('a merged customer’s profile is never opened');
    },
  },
};

const ports: CustomerReadPorts = {
  snapshot: async (id) => snapshots[id],
  ownerOf: async (type, hash) =>
    type === 'phone' && hash === 'identity|phone:+8613800138000' ? 'young' : undefined,
  blindIndex: (purpose, value) => `${purpose}|${value}`,
};
const SERVICE = { roles: ['service'] };
const ANALYST = { roles: ['analyst'] };
const SALES = { roles: ['sales'] };

describe('Use case: read customer', () => {
  it('follows a merge to the survivor and lists each identifier once, with how it first joined', async () => {
    const view = await readCustomer('young', ports, SERVICE);
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
    const found = await findCustomerByIdentifier('phone', '138 0013 8000', ports, SERVICE);
    expect(found.ok && found.customer?.customerId).toBe('old');
    expect(await findCustomerByIdentifier('phone', '12', ports, SERVICE)).toEqual({
      ok: false,
      reason: 'phone.invalid',
    });
    expect(await findCustomerByIdentifier('email', 'nobody@example.com', ports, SERVICE)).toEqual({
      ok: true,
      customer: undefined,
    });
  });

  it('shows the profile with where each trait came from, personal fields as each role may see them', async () => {
    const full = await readCustomer('old', ports, SERVICE);
    const partial = await readCustomer('old', ports, SALES);
    const pseudonymous = await readCustomer('old', ports, ANALYST);
    const unknownRole = await readCustomer('old', ports, { roles: ['intern'] });
    expect(full?.profile?.traits.name).toEqual({
      value: '张伟',
      source: 'pos-sh',
      channel: 'pos',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(partial?.profile?.traits.name).toMatchObject({ value: '张**', masked: true });
    // Analysts (and roles the policy does not know) see no direct identifier at all; other traits stay.
    for (const view of [pseudonymous, unknownRole]) {
      expect(view?.profile?.traits.name).toBeUndefined();
      expect(JSON.stringify(view)).not.toContain('张');
      expect(view?.profile?.traits.city?.value).toBe('Shanghai');
      expect(view?.profile?.version).toBe(4);
    }
  });
});
