import { describe, expect, it } from 'vitest';
import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import { blockingKeysOf } from '../../../shared/domain/identity/candidate-blocking.rule.ts';
import type { ComparisonTraits } from '../../../shared/domain/identity/candidate-matcher.ts';
import { MATCH_FIELDS } from '../../../shared/domain/identity/match-model.ts';
import {
  decideSuggestedMatch,
  pairKey,
  type SuggestedMatch,
  upsertSuggestedMatch,
} from '../../../shared/domain/identity/review-queue.ts';
import {
  type CustomerComparisonTraits,
  comparisonTraitsOfEvent,
  matchProbabilistically,
  type ProbabilisticMatchPorts,
} from '../../../shared/use-cases/identity/match-probabilistically.use-case.ts';

type Customer = { createdAt: string; traits: Record<string, string[]>; mergedInto?: string };

/** The identity store as the adapters would keep it: blocks of customer ids, customers, merges, marks, queue. */
class InMemoryIdentityStore {
  readonly blocks = new Map<string, string[]>();
  readonly customers = new Map<string, Customer>();
  readonly apart = new Set<string>();
  readonly queue = new Map<string, SuggestedMatch>();
  readonly merges: { survivor: string; other: string; explanation: string }[] = [];
  readonly traitReads: string[][] = [];
  readonly limits: number[] = [];

  /** What the deterministic path does when no identifier has an owner: a new customer from the event. */
  create(event: CleanedEventV1): string {
    const customerId = `c-${event.eventId}`;
    const traits: Record<string, string[]> = {};
    const t = comparisonTraitsOfEvent(event);
    for (const f of MATCH_FIELDS) traits[f] = [...(t[f] ?? [])];
    this.customers.set(customerId, { createdAt: event.receivedAt, traits });
    return customerId;
  }

  current(id: string): string {
    let c = id;
    for (let hops = 0; hops < 10; hops++) {
      const next = this.customers.get(c)?.mergedInto;
      if (!next) return c;
      c = next;
    }
    return c;
  }

  /** Indexes a customer under the blocks of some traits, as an earlier event would have. */
  async indexAs(customerId: string, traits: ComparisonTraits): Promise<void> {
    await this.ports.indexBlocks(
      customerId,
      blockingKeysOf(traits).map((k) => this.ports.blindIndex('block', k)),
    );
  }

  /** Customers that have not been merged into another. */
  survivors(): string[] {
    return [...this.customers].filter(([, c]) => !c.mergedInto).map(([id]) => id);
  }

  readonly ports: ProbabilisticMatchPorts = {
    blindIndex: (purpose, value) => `hmac(${purpose}:${value})`,
    candidates: async (hashes, limit) => {
      this.limits.push(limit);
      return new Map(hashes.map((h) => [h, (this.blocks.get(h) ?? []).slice(0, limit)]));
    },
    comparisonTraits: async (ids) => {
      this.traitReads.push([...ids]);
      const out = new Map<string, CustomerComparisonTraits>();
      for (const id of ids) {
        const currentId = this.current(id);
        const c = this.customers.get(currentId);
        if (c)
          out.set(id, {
            customerId: currentId,
            createdAt: c.createdAt,
            traits: c.traits as ComparisonTraits,
          });
      }
      return out;
    },
    keptApart: async (a, b) => this.apart.has(pairKey(this.current(a), this.current(b))),
    merge: async (survivor, other, explanation) => {
      const s = this.customers.get(survivor);
      const o = this.customers.get(other);
      if (!s || !o || survivor === other) throw new Error(`bad merge ${survivor} ← ${other}`);
      o.mergedInto = survivor;
      for (const [f, vs] of Object.entries(o.traits))
        s.traits[f] = [...new Set([...(s.traits[f] ?? []), ...vs])];
      this.merges.push({ survivor, other, explanation: explanation.text });
    },
    suggest: async (item) => {
      this.queue.set(
        item.pairKey,
        upsertSuggestedMatch(this.queue.get(item.pairKey), item, '2026-03-09T00:00:00.000Z'),
      );
    },
    indexBlocks: async (customerId, hashes) => {
      for (const h of hashes) {
        const ids = this.blocks.get(h) ?? [];
        if (!ids.includes(customerId)) this.blocks.set(h, [...ids, customerId]);
      }
    },
  };

  /** Resolves an event as the caller would: create a customer, then match it probabilistically. */
  async arrive(event: CleanedEventV1, options: Parameters<typeof matchProbabilistically>[2] = {}) {
    const customerId = this.create(event);
    return { customerId, result: await matchProbabilistically({ event, customerId }, this.ports, options) };
  }
}

let clock = 0;
const cleaned = (
  eventId: string,
  identities: CleanedEventV1['identities'],
  traits: Record<string, string>,
): CleanedEventV1 => {
  clock++;
  const at = `2026-03-0${clock}T10:00:00.000Z`;
  return {
    specVersion: '1',
    eventId,
    type: 'app.event',
    source: 'test',
    channel: 'app',
    occurredAt: at,
    receivedAt: at,
    identities,
    traits,
    payload: { name: 'test' },
    effective: true,
    quality: { completeness: 1, warnings: [] },
  };
};

describe('Use case: match probabilistically', () => {
  it('app, till, web and a CSV row with typos end as one customer, each link explained', async () => {
    // Prepare
    clock = 0;
    const store = new InMemoryIdentityStore();
    const app = cleaned('app', [{ type: 'deviceId', value: 'dev-1' }], {
      name: 'Zhang Wei',
      birthday: '1990-04-12',
    });
    const pos = cleaned('pos', [{ type: 'phone', value: '+8613912345678' }], { name: '张伟' });
    const web = cleaned('web', [{ type: 'email', value: 'zhang.wei@example.com' }], {
      name: 'Zhang Wei',
      city: 'Shanghai',
      address: '88 Nanjing Road',
      postcode: '200001',
    });
    // A CRM export row: name, birthday, address and phone each with a typo, so no identifier has an owner.
    const csv = cleaned(
      'csv',
      [
        { type: 'crmId', value: 'crm-77' },
        { type: 'phone', value: '+8613912345687' },
      ],
      {
        name: 'Zhang Wie',
        birthday: '1990-04-21',
        address: '88 Nanjnig Raod',
        city: 'Shanghai',
        postcode: '200001',
      },
    );

    // Act: each event on arrival.
    const first = await store.arrive(app);
    const second = await store.arrive(pos);
    const third = await store.arrive(web);
    const fourth = await store.arrive(csv);

    // Assess: the three channels alone share only a name — no merge, nothing worth a review.
    for (const { result } of [first, second, third]) {
      expect(result).toMatchObject({ kind: 'matched', merged: [], suggested: [] });
    }
    expect(second.result.kind === 'matched' && second.result.scores.map((s) => s.customerId)).toEqual([
      'c-app',
    ]);
    // The CSV row merges the web and till customers automatically and suggests the app customer.
    expect(store.merges.map((m) => [m.survivor, m.other])).toEqual([
      ['c-web', 'c-csv'],
      ['c-pos', 'c-web'],
    ]);
    expect(store.merges[0]?.explanation).toMatch(
      /^name: jaro-winkler ≥ 0\.92 \(\+10\.9\), address: jaro-winkler ≥ 0\.92 \(\+9\.8\), city: exact \(\+9\.4\), postcode: exact \(\+9\.5\), prior \(-12\.3\) → weight \d+\.\d, p > 0\.99999$/,
    );
    expect(store.merges[1]?.explanation).toContain('phone: edits ≤ 1');
    expect(fourth.result).toMatchObject({
      kind: 'matched',
      customerId: 'c-pos',
      suggested: [{ candidateId: 'c-app' }],
    });
    const item = store.queue.get(pairKey('c-pos', 'c-app'));
    expect(item).toMatchObject({ status: 'pending', customerId: 'c-pos', candidateId: 'c-app' });
    expect(item?.explanation.text).toContain('birthday: one typo, day/month swap or ±1 year');
    expect(store.survivors().sort()).toEqual(['c-app', 'c-pos']);

    // A reviewer approves the suggestion: the approval's effect goes through the same merge path.
    if (!item) throw new Error('expected a suggestion');
    const decided = decideSuggestedMatch(
      item,
      { verdict: 'approve', by: 'reviewer-1', at: '2026-03-10T00:00:00.000Z' },
      { customerId: store.current(item.customerId), candidateId: store.current(item.candidateId) },
    );
    expect(decided).toMatchObject({ ok: true, effect: { kind: 'merge', customerIds: ['c-pos', 'c-app'] } });
    await store.ports.merge('c-app', 'c-pos', item.explanation);
    expect(store.survivors()).toEqual(['c-app']);
    expect(new Set(['c-app', 'c-pos', 'c-web', 'c-csv'].map((id) => store.current(id)))).toEqual(
      new Set(['c-app']),
    );
  });

  it('suggests a likely pair for review, once per pair when the event is retried', async () => {
    clock = 0;
    const store = new InMemoryIdentityStore();
    await store.arrive(
      cleaned('a', [{ type: 'deviceId', value: 'd-a' }], { name: 'Li Lei', birthday: '1985-11-03' }),
    );
    const event = cleaned('b', [{ type: 'deviceId', value: 'd-b' }], {
      name: 'li lei',
      birthday: '1985-11-30',
    });
    const { customerId, result } = await store.arrive(event);
    const retried = await matchProbabilistically({ event, customerId }, store.ports);
    expect(result).toMatchObject({ merged: [], suggested: [{ candidateId: 'c-a' }], keptApart: [] });
    expect(retried).toEqual(result);
    expect(store.merges).toEqual([]);
    expect([...store.queue.keys()]).toEqual([pairKey('c-a', 'c-b')]);
    expect(store.queue.get(pairKey('c-a', 'c-b'))?.explanation.text).toMatch(
      /^name: exact \(\+12\.2\), birthday: one typo, day\/month swap or ±1 year \(\+4\.4\), prior \(-12\.3\) → weight 4\.2, p 0\.9\d{4}$/,
    );
  });

  const person = { name: 'Wang Fang', birthday: '1978-02-14', address: '5 Huaihai Road', postcode: '200031' };

  it('neither merges nor suggests a pair marked keep-apart', async () => {
    clock = 0;
    const store = new InMemoryIdentityStore();
    await store.arrive(cleaned('a', [{ type: 'deviceId', value: 'd-a' }], person));
    store.create(cleaned('b', [{ type: 'deviceId', value: 'd-b' }], person));
    store.apart.add(pairKey('c-a', 'c-b'));
    const event = cleaned('b2', [{ type: 'deviceId', value: 'd-b' }], person);
    // The caller resolved the event to c-b (e.g. an unmerged customer); c-a is kept apart from it.
    const result = await matchProbabilistically({ event, customerId: 'c-b' }, store.ports);
    expect(result).toMatchObject({ merged: [], suggested: [], keptApart: ['c-a'] });
    expect(result.kind === 'matched' && result.scores[0]).toMatchObject({
      customerId: 'c-a',
      decision: 'merge',
    });
    expect(store.merges).toEqual([]);
    expect(store.queue.size).toBe(0);
  });

  it('neither merges nor suggests a second candidate kept apart from the first one merged', async () => {
    clock = 0;
    const store = new InMemoryIdentityStore();
    await store.arrive(cleaned('a', [{ type: 'deviceId', value: 'd-a' }], person));
    store.create(cleaned('b', [{ type: 'deviceId', value: 'd-b' }], { ...person, address: '5 Huaihai Rd' }));
    await store.indexAs('c-b', person);
    store.apart.add(pairKey('c-a', 'c-b'));
    const { result } = await store.arrive(cleaned('c', [{ type: 'deviceId', value: 'd-c' }], person));
    expect(result).toMatchObject({
      customerId: 'c-a',
      merged: [{ survivor: 'c-a', other: 'c-c' }],
      suggested: [],
      keptApart: ['c-b'],
    });
    expect(result.kind === 'matched' && result.scores.map((s) => [s.customerId, s.decision])).toEqual([
      ['c-a', 'merge'],
      ['c-b', 'merge'],
    ]);
    expect(store.merges).toHaveLength(1);
    expect(store.queue.size).toBe(0);
  });

  it('skips blocks over the cap (super-node guard) and still finds the person through a small block', async () => {
    clock = 0;
    const store = new InMemoryIdentityStore();
    // Three namesakes with nothing else: the name-only blocks grow to three customers.
    for (const n of ['x', 'y', 'z'])
      await store.arrive(cleaned(n, [{ type: 'deviceId', value: `d-${n}` }], { name: 'Zhang Wei' }));
    await store.arrive(
      cleaned('p', [{ type: 'deviceId', value: 'd-p' }], {
        name: 'Zhang Wei',
        postcode: '200001',
        address: '88 Nanjing Road',
      }),
    );
    store.traitReads.length = 0;
    const { result } = await store.arrive(
      cleaned('q', [{ type: 'email', value: 'zw@example.com' }], {
        name: 'Zhang Wei',
        postcode: '200001',
        address: '88 Nanjing Rd',
      }),
      { maxBlockSize: 2 },
    );
    expect(result).toMatchObject({
      kind: 'matched',
      skippedBlocks: 2,
      merged: [{ survivor: 'c-p', other: 'c-q' }],
    });
    expect(store.limits.at(-1)).toBe(4);
    expect(store.traitReads).toEqual([['c-q', 'c-p']]);
  });

  it('caps the candidates compared, those sharing the most blocks first', async () => {
    clock = 0;
    const store = new InMemoryIdentityStore();
    for (const n of ['x', 'y', 'z'])
      await store.arrive(cleaned(n, [{ type: 'deviceId', value: `d-${n}` }], { name: 'Zhang Wei' }));
    await store.arrive(
      cleaned('p', [{ type: 'deviceId', value: 'd-p' }], { name: 'Zhang Wei', postcode: '200001' }),
    );
    store.traitReads.length = 0;
    await store.arrive(
      cleaned('q', [{ type: 'deviceId', value: 'd-q' }], { name: 'Zhang Wei', postcode: '200001' }),
      {
        maxCandidates: 2,
      },
    );
    expect(store.traitReads).toEqual([['c-q', 'c-p', 'c-x']]);
  });

  it('never merges a customer with itself, even when a block still holds an id merged into it', async () => {
    clock = 0;
    const store = new InMemoryIdentityStore();
    store.create(cleaned('old', [{ type: 'deviceId', value: 'd-o' }], person));
    const event = cleaned('new', [{ type: 'deviceId', value: 'd-n' }], person);
    const customerId = store.create(event);
    // A concurrent resolver already merged c-old into c-new; the block still lists c-old.
    const old = store.customers.get('c-old');
    if (old) old.mergedInto = customerId;
    await store.indexAs('c-old', person);
    const result = await matchProbabilistically({ event, customerId }, store.ports);
    expect(store.traitReads).toEqual([['c-new', 'c-old']]);
    expect(result).toMatchObject({
      kind: 'matched',
      customerId: 'c-new',
      merged: [],
      suggested: [],
      scores: [],
    });
    expect(store.merges).toEqual([]);
  });

  it('skips an event with nothing to block on, and ignores blocked identifier values', async () => {
    clock = 0;
    const store = new InMemoryIdentityStore();
    const { result } = await store.arrive(
      cleaned('e', [{ type: 'email', value: 'a@example.com' }], { city: 'Shanghai' }),
    );
    expect(result).toEqual({ kind: 'skipped', reason: 'no blocking key' });
    expect(store.blocks.size).toBe(0);
    const traits = comparisonTraitsOfEvent(
      cleaned(
        'f',
        [
          { type: 'phone', value: '+8613800000000' },
          { type: 'phone', value: '+8613912345678' },
          { type: 'email', value: 'test@test.com' },
        ],
        { name: 'Li Lei', gender: 'female' },
      ),
    );
    expect(traits).toMatchObject({ name: ['Li Lei'], phone: ['+8613912345678'], email: [] });
  });
});
