import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newWriteKey } from '../../infra/cli/source.command.ts';
import { loadOrCreateDevKeys, signDevToken } from '../../infra/local/auth/dev-tokens.ts';
import { DEV_KEYS_FILE } from '../../infra/local/local-paths.ts';
import { startLocalStack } from '../../infra/local/local-stack.ts';
import { dynamoSourceRepository } from '../../shared/adapters/dynamodb/source.repository.ts';
import { latencySummary } from './bench-stats.ts';
import type { Bench } from './run.bench.ts';

/**
 * Event → profile visible, on the local stack: a Segment identify through the collect API, the ingest
 * stream, cleaning, the table outbox, identity resolution and the profile update, until
 * `GET /customers?email=` returns the customer with its profile. A warm-up round at the same concurrency
 * starts the execution environments first (their cold starts are printed apart).
 */
export const e2eBench: Bench = {
  summary: 'event → profile visible through the read API, p50/p99 on the local stack',
  run: async () => {
    const stack = await startLocalStack({ port: 0 });
    try {
      const writeKey = newWriteKey();
      await dynamoSourceRepository(
        DynamoDBDocumentClient.from(stack.clients.dynamodb),
        stack.names.table,
      ).addWriteKey({ name: 'e2e-bench', createdAt: new Date().toISOString() }, writeKey);
      const token = await signDevToken(await loadOrCreateDevKeys(DEV_KEYS_FILE), { role: 'service' });
      const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
      // With a name, the event also goes through probabilistic matching (blocking, candidates, scoring).
      const one = async (i: number, named: boolean): Promise<number> => {
        const email = `e2e-${i}-${Date.now()}@example.com`;
        const start = performance.now();
        const res = await fetch(`${stack.endpoints.api}/v1/identify`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({
            userId: `e2e-user-${i}-${start}`,
            traits: { email, ...(named ? { name: `Bench Person ${i}` } : {}) },
          }),
        });
        if (res.status !== 200) throw new Error(`collect answered ${res.status}`);
        for (;;) {
          const found = await fetch(`${stack.endpoints.api}/customers?email=${encodeURIComponent(email)}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          const body = (await found.json()) as { items?: { profile?: unknown }[] };
          if (body.items?.[0]?.profile) return performance.now() - start;
          if (performance.now() - start > 30_000) throw new Error(`event ${i} not visible after 30 s`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const round = async (from: number, total: number, named = false): Promise<number[]> => {
        const samples: number[] = [];
        let next = from;
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            for (let i = next++; i < from + total; i = next++) samples.push(await one(i, named));
          }),
        );
        return samples;
      };
      const cold = await round(-1000, 40);
      console.log(`warm-up (cold starts of the functions on the path): ${latencySummary(cold)}`);
      for (const [named, total, label] of [
        [false, 200, 'identify with an e-mail'],
        [true, 100, 'identify with an e-mail and a name (probabilistic matching runs too)'],
      ] as const) {
        for (const fn of stack.functions.values()) fn.durations.length = 0;
        const samples = await round(named ? 10_000 : 0, total, named);
        console.log(
          `event → profile visible, ${label} (${total} events, 4 concurrent senders): ${latencySummary(samples)} (goal p99 ≤ 1 s)`,
        );
        for (const [id, fn] of stack.functions)
          if (fn.durations.length > 0) console.log(`  ${id}: invocation ${latencySummary(fn.durations)}`);
      }
    } finally {
      await stack.stop();
    }
  },
};
