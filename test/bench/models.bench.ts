import { churnBench } from './churn.bench.ts';
import { lifetimeValueBench } from './lifetime-value.bench.ts';
import { recommendationsBench } from './recommendations.bench.ts';
import type { Bench } from './run.bench.ts';

/** Issue 5's figures on public data: churn (telco), lifetime value (CDNOW), recommendations (Online Retail). */
export const modelsBench: Bench = {
  summary: 'churn ROC-AUC/Brier (telco, 5-fold), BG/NBD + Gamma-Gamma on CDNOW, hit-rate@10 on Online Retail',
  run: async () => {
    for (const [name, bench] of [
      ['churn', churnBench],
      ['lifetime value', lifetimeValueBench],
      ['recommendations', recommendationsBench],
    ] as const) {
      console.log(`\n-- ${name}: ${bench.summary}`);
      await bench.run();
    }
  },
};
