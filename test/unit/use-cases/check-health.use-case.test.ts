import { describe, expect, it } from 'vitest';
import { checkHealth } from '../../../shared/use-cases/platform/check-health.use-case.ts';

class TableUnreachableError extends Error {
  override readonly name = 'TableUnreachableError';
}

describe('Use case: check health', () => {
  it('is ok when every check passes', async () => {
    expect(await checkHealth({ table: async () => undefined })).toEqual({
      status: 'ok',
      checks: { table: { ok: true } },
    });
  });

  it('is degraded and names the failing dependency without leaking its message', async () => {
    const report = await checkHealth({
      table: async () => {
        throw new TableUnreachableError('connect ECONNREFUSED 10.0.0.1:443');
      },
      bus: async () => undefined,
    });
    expect(report).toEqual({
      status: 'degraded',
      checks: { table: { ok: false, error: 'TableUnreachableError' }, bus: { ok: true } },
    });
  });
});
