export type HealthCheck = () => Promise<void>;

export type HealthReport = {
  readonly status: 'ok' | 'degraded';
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly error?: string }>>;
};

/**
 * Primary course:
 * 1. Run every dependency check concurrently.
 * 2. Report each one; the whole is `ok` only when all are.
 */
export const checkHealth = async (checks: Readonly<Record<string, HealthCheck>>): Promise<HealthReport> => {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await check();
        return [name, { ok: true }] as const;
      } catch (error) {
        return [name, { ok: false, error: error instanceof Error ? error.name : 'UnknownError' }] as const;
      }
    }),
  );
  return {
    status: entries.every(([, r]) => r.ok) ? 'ok' : 'degraded',
    checks: Object.fromEntries(entries),
  };
};
