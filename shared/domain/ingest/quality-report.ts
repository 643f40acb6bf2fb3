import { QUALITY_FIELDS } from '../cleaning/envelope.cleaner.ts';

/** One counter row as stored (a source, a day, one write shard). */
export type QualityCounterRow = Readonly<Record<string, unknown>> & { readonly source: string };

export type SourceQuality = {
  readonly source: string;
  readonly received: number;
  readonly accepted: number;
  readonly quarantined: number;
  readonly duplicates: number;
  readonly nearDuplicates: number;
  /** duplicates / received */
  readonly duplicateRate: number;
  readonly quarantinedByReason: Readonly<Record<string, number>>;
  readonly warnings: Readonly<Record<string, number>>;
  /** Share of accepted events carrying each field. */
  readonly completeness: Readonly<Record<string, number>>;
};

const num = (x: unknown): number => (typeof x === 'number' ? x : typeof x === 'string' ? Number(x) || 0 : 0);

/** Sums the sharded daily counters into one report per source. */
export const qualityReport = (rows: readonly QualityCounterRow[]): SourceQuality[] => {
  const bySource = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const totals = bySource.get(row.source) ?? new Map<string, number>();
    for (const [k, v] of Object.entries(row))
      if (
        k === 'received' ||
        k === 'accepted' ||
        k === 'quarantined' ||
        k === 'duplicates' ||
        k === 'nearDuplicates' ||
        /^[fqw]_/.test(k)
      )
        totals.set(k, (totals.get(k) ?? 0) + num(v));
    bySource.set(row.source, totals);
  }
  return [...bySource]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([source, t]) => {
      const get = (k: string) => t.get(k) ?? 0;
      const prefixed = (p: string) =>
        Object.fromEntries(
          [...t]
            .filter(([k]) => k.startsWith(p))
            .map(([k, v]) => [k.slice(p.length), v])
            .sort(([, a], [, b]) => Number(b) - Number(a)),
        );
      const accepted = get('accepted');
      return {
        source,
        received: get('received'),
        accepted,
        quarantined: get('quarantined'),
        duplicates: get('duplicates'),
        nearDuplicates: get('nearDuplicates'),
        duplicateRate: get('received') > 0 ? get('duplicates') / get('received') : 0,
        quarantinedByReason: prefixed('q_'),
        warnings: prefixed('w_'),
        completeness: Object.fromEntries(
          QUALITY_FIELDS.map((f) => [f, accepted > 0 ? get(`f_${f}`) / accepted : 0]),
        ),
      };
    });
};
