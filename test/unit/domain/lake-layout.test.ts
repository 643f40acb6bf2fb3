import { describe, expect, it } from 'vitest';
import { type LakeEvent, layoutLakeObjects } from '../../../shared/domain/analytics/lake-layout.ts';

const event = (id: string, detailType: string, time: string): LakeEvent => ({
  id,
  detailType,
  time,
  json: `{"id":"${id}"}`,
});
const digest = (s: string) => `d(${s.replaceAll('\n', ',')})`;

describe('Domain: lake layout', () => {
  it('partitions by detail type and UTC date, Hive style', () => {
    const objects = layoutLakeObjects(
      'domain-events',
      [
        event('a', 'CustomersMerged', '2026-11-01T10:00:00Z'),
        event('b', 'CustomersMerged', '2026-11-02T00:00:01Z'),
        event('c', 'ProfileUpdated', '2026-11-01T23:59:59Z'),
      ],
      digest,
    );
    expect(objects.map((o) => o.key).sort()).toEqual([
      'domain-events/detail_type=CustomersMerged/dt=2026-11-01/d(a).ndjson',
      'domain-events/detail_type=CustomersMerged/dt=2026-11-02/d(b).ndjson',
      'domain-events/detail_type=ProfileUpdated/dt=2026-11-01/d(c).ndjson',
    ]);
  });

  it('names an object by the ids it holds, so a redelivered batch overwrites itself', () => {
    const first = layoutLakeObjects(
      'p',
      [event('b', 'T', '2026-11-01T00:00:00Z'), event('a', 'T', '2026-11-01T00:00:00Z')],
      digest,
    );
    const again = layoutLakeObjects(
      'p',
      [event('a', 'T', '2026-11-01T00:00:00Z'), event('b', 'T', '2026-11-01T00:00:00Z')],
      digest,
    );
    expect(first[0]?.key).toBe(again[0]?.key);
    expect(first[0]?.body).toBe('{"id":"b"}\n{"id":"a"}\n');
  });

  it('keeps partition names safe whatever the detail type says', () => {
    const [o] = layoutLakeObjects('p', [event('a', '../etc/passwd x', '2026-11-01T00:00:00Z')], digest);
    expect(o?.key).toBe('p/detail_type=.._etc_passwd_x/dt=2026-11-01/d(a).ndjson');
  });
});
