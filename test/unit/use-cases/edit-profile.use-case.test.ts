import { describe, expect, it } from 'vitest';
import { type CustomerProfile, emptyProfile } from '../../../shared/domain/profile/customer-profile.ts';
import { DEFAULT_PROFILE_CONFIG } from '../../../shared/domain/profile/profile.updater.ts';
import {
  EditContentionError,
  type EditProfileInput,
  type EditProfilePorts,
  editProfile,
} from '../../../shared/use-cases/profile/edit-profile.use-case.ts';
import type { ProfileSave } from '../../../shared/use-cases/profile/update-profile.use-case.ts';

const AT = '2026-05-01T08:00:00.000Z';
const SETTINGS = { profile: DEFAULT_PROFILE_CONFIG, defaultRegion: 'CN' };

const stored = (version: number): CustomerProfile => ({
  ...emptyProfile('cus_old', '2026-01-01T00:00:00.000Z'),
  version,
  traits: {
    name: {
      value: '李娜',
      source: 'pos-sh',
      channel: 'pos',
      eventId: 'e1',
      occurredAt: '2026-01-01T00:00:00.000Z',
    },
    address: {
      value: '漕溪北路86号',
      source: 'crm-export',
      channel: 'import',
      eventId: 'e2',
      occurredAt: '2026-01-02T00:00:00.000Z',
    },
  },
});

/** An in-memory profile store with the repository's conditional write; `interfere` writes first, n times. */
const memoryPorts = (options: { interfere?: number } = {}) => {
  let profile: CustomerProfile | undefined = stored(4);
  let interfere = options.interfere ?? 0;
  const saves: ProfileSave[] = [];
  const loads: string[] = [];
  const ports: EditProfilePorts = {
    customer: async (id) =>
      ({ cus_old: {}, cus_young: { mergedInto: 'cus_old' }, cus_erased: {} })[id] as
        | { mergedInto?: string }
        | undefined,
    profiles: {
      load: async (id) => {
        loads.push(id);
        return id === 'cus_old' ? profile : undefined;
      },
      save: async (change) => {
        if (interfere > 0 && profile) {
          interfere--;
          profile = { ...profile, version: profile.version + 1 };
        }
        if (profile?.version !== change.expectedVersion) return false;
        saves.push(change);
        profile = change.profile;
        return true;
      },
    },
  };
  return { ports, saves, loads, current: () => profile };
};

const input = (over: Partial<EditProfileInput>): EditProfileInput => ({
  customerId: 'cus_old',
  roles: ['service'],
  editId: 'edit:req-1',
  body: { traits: { address: '漕溪北路 ８８号' } },
  ...over,
});

describe('Use case: edit a customer profile', () => {
  it('standardises the value, writes the profile and ProfileUpdated (cause edit) in one conditional write', async () => {
    const { ports, saves } = memoryPorts();

    const outcome = await editProfile(input({}), ports, SETTINGS, () => AT);

    expect(outcome).toMatchObject({ kind: 'updated', customerId: 'cus_old', fields: ['address'] });
    expect(saves).toHaveLength(1);
    expect(saves[0]?.expectedVersion).toBe(4);
    expect(saves[0]?.profile.traits.address).toEqual({
      value: '漕溪北路 88号',
      source: 'manual',
      channel: 'manual',
      eventId: 'edit:req-1',
      occurredAt: AT,
    });
    expect(saves[0]?.published).toMatchObject({ cause: 'edit', version: 5, changedTraits: ['address'] });
  });

  it('refuses a personal field the caller sees masked before reading anything', async () => {
    const { ports, loads, saves } = memoryPorts();

    const outcome = await editProfile(
      input({ roles: ['sales'], body: { traits: { name: '李那', postcode: '200030' } } }),
      ports,
      SETTINGS,
      () => AT,
    );

    expect(outcome).toEqual({ kind: 'forbidden', fields: ['name'] });
    expect(loads).toEqual([]);
    expect(saves).toEqual([]);
  });

  it('edits the survivor of a merged id, as GET /customers/{id} reads it', async () => {
    const { ports } = memoryPorts();

    const outcome = await editProfile(input({ customerId: 'cus_young' }), ports, SETTINGS, () => AT);

    expect(outcome).toMatchObject({ kind: 'updated', customerId: 'cus_old', mergedFrom: 'cus_young' });
  });

  it('answers not found for an unknown customer and for one whose profile is gone (erased)', async () => {
    const { ports, saves } = memoryPorts();

    expect(await editProfile(input({ customerId: 'cus_nobody' }), ports, SETTINGS, () => AT)).toEqual({
      kind: 'not-found',
    });
    expect(await editProfile(input({ customerId: 'cus_erased' }), ports, SETTINGS, () => AT)).toEqual({
      kind: 'not-found',
    });
    expect(saves).toEqual([]);
  });

  it('honours If-Match: another version, or a write in between, is a failed precondition', async () => {
    const stale = memoryPorts();
    const raced = memoryPorts({ interfere: 1 });

    const a = await editProfile(input({ ifMatch: [3] }), stale.ports, SETTINGS, () => AT);
    const b = await editProfile(input({ ifMatch: [2, 4] }), raced.ports, SETTINGS, () => AT);

    expect(a).toEqual({ kind: 'precondition-failed', version: 4 });
    expect(stale.saves).toEqual([]);
    expect(b).toEqual({ kind: 'precondition-failed', version: 5 });
    expect(raced.saves).toEqual([]);
  });

  it('without If-Match, re-reads and re-applies after a concurrent write; gives up after a few', async () => {
    const once = memoryPorts({ interfere: 1 });
    const always = memoryPorts({ interfere: 100 });

    const outcome = await editProfile(input({}), once.ports, SETTINGS, () => AT);

    expect(outcome).toMatchObject({ kind: 'updated' });
    expect(once.saves[0]?.expectedVersion).toBe(5);
    await expect(editProfile(input({}), always.ports, SETTINGS, () => AT)).rejects.toBeInstanceOf(
      EditContentionError,
    );
  });

  it('reports invalid values and conflicts without writing; an edit that changes nothing writes nothing', async () => {
    const { ports, saves } = memoryPorts();

    const invalid = await editProfile(
      input({ body: { traits: { birthday: 'soon' } } }),
      ports,
      SETTINGS,
      () => AT,
    );
    const computed = await editProfile(
      input({ body: { tags: { add: ['high-value'] } } }),
      ports,
      SETTINGS,
      () => AT,
    );
    const same = await editProfile(input({ body: { traits: { name: '李娜' } } }), ports, SETTINGS, () => AT);

    expect(invalid).toMatchObject({ kind: 'invalid', problems: [expect.stringMatching(/^birthday: /)] });
    expect(computed).toMatchObject({ kind: 'conflict', field: 'tags.high-value' });
    expect(same).toMatchObject({ kind: 'unchanged', fields: [] });
    expect(saves).toEqual([]);
  });

  it('names the manual tags it added and removed for the audit', async () => {
    const { ports } = memoryPorts();

    await editProfile(input({ body: { tags: { add: ['vip-prospect', 'b2b'] } } }), ports, SETTINGS, () => AT);
    const outcome = await editProfile(
      input({ body: { traits: { city: '上海' }, tags: { remove: ['b2b'] } } }),
      ports,
      SETTINGS,
      () => AT,
    );

    expect(outcome).toMatchObject({ kind: 'updated', fields: ['city', 'tags.b2b'] });
  });
});
