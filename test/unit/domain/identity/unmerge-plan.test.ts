import { describe, expect, it } from 'vitest';
import { keptApart, planUnmerge } from '../../../../shared/domain/identity/unmerge-plan.ts';

const link = (customerId: string, type: string, hash: string, at: string, eventId = `e-${at}`) => ({
  customerId,
  type,
  hash,
  at,
  eventId,
});

describe('Domain: unmerge plan', () => {
  it('gives each identifier to the side that first linked it', () => {
    const plan = planUnmerge(
      [
        link('S', 'phone', 'p', '2026-01-01T00:00:00.000Z'),
        link('M', 'email', 'e', '2026-01-02T00:00:00.000Z'),
        link('X', 'deviceId', 'd', '2026-01-02T12:00:00.000Z'), // X was merged into M before M into S
        // The bridging event re-linked the e-mail under S, later: the earlier link decides.
        link('S', 'email', 'e', '2026-01-03T00:00:00.000Z'),
        // First seen with the bridging event itself: nothing says it is the restored customer's.
        link('S', 'wechatOpenId', 'w', '2026-01-03T00:00:00.000Z'),
      ],
      new Set(['M', 'X']),
    );
    expect(plan).toEqual([
      { type: 'deviceId', hash: 'd', side: 'restored' },
      { type: 'email', hash: 'e', side: 'restored' },
      { type: 'phone', hash: 'p', side: 'survivor' },
      { type: 'wechatOpenId', hash: 'w', side: 'survivor' },
    ]);
  });

  it('breaks a tie on time by event id, whatever order the links were read in', () => {
    const links = [
      link('S', 'email', 'e', '2026-01-01T00:00:00.000Z', 'b'),
      link('M', 'email', 'e', '2026-01-01T00:00:00.000Z', 'a'),
    ];
    const restored = new Set(['M']);
    expect(planUnmerge(links, restored)).toEqual(planUnmerge([...links].reverse(), restored));
    expect(planUnmerge(links, restored)[0]?.side).toBe('restored');
  });

  it('keeps customers apart when either side says so', () => {
    expect(keptApart({ customerId: 'a', keptApart: ['b'] }, { customerId: 'b' })).toBe(true);
    expect(keptApart({ customerId: 'a' }, { customerId: 'b', keptApart: ['a'] })).toBe(true);
    expect(keptApart({ customerId: 'a', keptApart: ['c'] }, { customerId: 'b' })).toBe(false);
  });
});
