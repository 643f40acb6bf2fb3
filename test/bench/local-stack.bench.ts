import { startLocalStack } from '../../infra/local/local-stack.ts';
import { latencySummary } from './bench-stats.ts';
import type { Bench } from './run.bench.ts';

/** Start-up time of the local platform and `GET /health` latency through the local API and Lambda runtime. */
export const localStackBench: Bench = {
  summary: 'local stack start-up time and GET /health latency (10 concurrent clients)',
  run: async () => {
    const t0 = performance.now();
    const stack = await startLocalStack({ port: 0 });
    console.log(`start-up: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    try {
      const url = `${stack.endpoints.api}/health`;
      const cold = performance.now();
      await (await fetch(url)).text();
      console.log(`first request (cold start): ${(performance.now() - cold).toFixed(0)} ms`);
      const samples: number[] = [];
      const client = async () => {
        for (let i = 0; i < 100; i++) {
          const s = performance.now();
          const res = await fetch(url);
          await res.text();
          samples.push(performance.now() - s);
        }
      };
      const w = performance.now();
      await Promise.all(Array.from({ length: 10 }, client));
      const seconds = (performance.now() - w) / 1000;
      console.log(`GET /health: ${latencySummary(samples)}, ${Math.round(samples.length / seconds)} req/s`);
    } finally {
      await stack.stop();
    }
  },
};
