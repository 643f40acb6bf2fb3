import { compileEventPattern } from '../../infra/local/bus/event-pattern.matcher.ts';
import type { Bench } from './run.bench.ts';

/** Matching throughput of the local bus's pattern matcher on a realistic rule and event mix. */
export const eventPatternBench: Bench = {
  summary: 'local EventBridge pattern matching, events/s on one core',
  run: async () => {
    const match = compileEventPattern({
      source: ['c360'],
      'detail-type': [{ prefix: 'Customer' }],
      detail: {
        score: [{ numeric: ['>=', 50] }],
        channel: [{ 'anything-but': ['test'] }],
        email: [{ exists: false }],
      },
    });
    const events = Array.from({ length: 10_000 }, (_, i) => ({
      source: i % 3 ? 'c360' : 'other',
      'detail-type': i % 2 ? 'CustomerMerged' : 'ProfileUpdated',
      detail: { score: i % 100, channel: i % 7 ? 'web' : 'test', tags: ['a', 'b'] },
    }));
    let matched = 0;
    const rounds = 50;
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) for (const e of events) if (match(e)) matched++;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(
      `matched ${matched} of ${rounds * events.length}: ${Math.round((rounds * events.length) / seconds).toLocaleString('en')} events/s`,
    );
  },
};
