import { describe, expect, it } from 'vitest';
import { archiveDomainEvents } from '../../../shared/use-cases/analytics/archive-domain-events.use-case.ts';

const busEvent = (id: string, detailType: string) =>
  JSON.stringify({
    version: '0',
    id,
    'detail-type': detailType,
    source: 'c360',
    time: '2026-11-01T10:00:00Z',
    detail: {},
  });

describe('Use case: archive domain events', () => {
  it('writes every parsable event and reports only the unparsable message as failed', async () => {
    const written = new Map<string, string>();
    const failed = await archiveDomainEvents(
      [
        { messageId: 'm1', body: busEvent('e1', 'A') },
        { messageId: 'm2', body: 'not json' },
        { messageId: 'm3', body: busEvent('e3', 'B') },
      ],
      { putObject: async (k, b) => void written.set(k, b), digest: (s) => s.replaceAll('\n', '-') },
    );
    expect(failed).toEqual(['m2']);
    expect([...written.keys()].sort()).toEqual([
      'domain-events/detail_type=A/dt=2026-11-01/e1.ndjson',
      'domain-events/detail_type=B/dt=2026-11-01/e3.ndjson',
    ]);
  });

  it('reports the messages of an object that could not be written, so they are retried', async () => {
    const failed = await archiveDomainEvents(
      [
        { messageId: 'm1', body: busEvent('e1', 'A') },
        { messageId: 'm2', body: busEvent('e2', 'B') },
      ],
      {
        putObject: async (key) => {
          if (key.includes('detail_type=B')) throw new Error('S3 unavailable');
        },
        digest: (s) => s,
      },
    );
    expect(failed).toEqual(['m2']);
  });
});
