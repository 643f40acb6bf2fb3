import { parseArgs } from 'node:util';
import { readQualityCounters } from '../../shared/adapters/dynamodb/quality.repository.ts';
import { qualityReport } from '../../shared/domain/ingest/quality-report.ts';
import type { Command } from './c360.cli.ts';
import { cliContext } from './cli-context.ts';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export const qualityCommand: Command = {
  summary:
    'Data-quality report per source: received, accepted, quarantined by reason, duplicates, completeness',
  usage:
    'Usage: npx c360 quality [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]\n\nDefaults to the last 30 days.',
  run: async (args) => {
    const { values } = parseArgs({
      args: [...args],
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const to = values.to ?? new Date().toISOString().slice(0, 10);
    const from = values.from ?? new Date(Date.parse(to) - 29 * 86_400_000).toISOString().slice(0, 10);
    const ctx = cliContext();
    const report = qualityReport(await readQualityCounters(ctx.db, ctx.tableName, from, to));
    if (values.json) {
      console.log(JSON.stringify({ from, to, sources: report }, null, 2));
      return 0;
    }
    if (report.length === 0) console.log(`No events received between ${from} and ${to}.`);
    for (const s of report) {
      console.log(`\n${s.source}  (${from} … ${to})`);
      console.log(
        `  received ${s.received}  accepted ${s.accepted}  quarantined ${s.quarantined}  duplicates ${s.duplicates} (${pct(s.duplicateRate)})  near-duplicate interactions ${s.nearDuplicates}`,
      );
      for (const [reason, n] of Object.entries(s.quarantinedByReason))
        console.log(`  quarantined  ${String(n).padStart(7)}  ${reason}`);
      for (const [warning, n] of Object.entries(s.warnings).slice(0, 10))
        console.log(`  warning      ${String(n).padStart(7)}  ${warning}`);
      console.log(
        `  completeness ${
          Object.entries(s.completeness)
            .filter(([, v]) => v > 0)
            .map(([f, v]) => `${f} ${pct(v)}`)
            .join(', ') || '—'
        }`,
      );
    }
    return 0;
  },
};
