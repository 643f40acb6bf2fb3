import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newWriteKey } from '../../infra/cli/source.command.ts';
import { loadOrCreateDevKeys, signDevToken } from '../../infra/local/auth/dev-tokens.ts';
import { DEV_KEYS_FILE } from '../../infra/local/local-paths.ts';
import { startLocalStack } from '../../infra/local/local-stack.ts';
import { dynamoSourceRepository } from '../../shared/adapters/dynamodb/source.repository.ts';
import { latencySummary } from './bench-stats.ts';
import type { Bench } from './run.bench.ts';

/**
 * Event → customer visible, on the local stack: a Segment identify through the collect API, the ingest
 * stream, cleaning, the table outbox and identity resolution, until `GET /customers?email=` finds it.
 */
export const e2eBench: Bench = {
  summary: 'event → customer visible through the read API, p50/p99 on the local stack',
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
      const one = async (i: number): Promise<number> => {
        const email = `e2e-${i}-${Date.now()}@example.com`;
        const start = performance.now();
        const res = await fetch(`${stack.endpoints.api}/v1/identify`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ userId: `e2e-user-${i}-${start}`, traits: { email } }),
        });
        if (res.status !== 200) throw new Error(`collect answered ${res.status}`);
        for (;;) {
          const found = await fetch(`${stack.endpoints.api}/customers?email=${encodeURIComponent(email)}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          const body = (await found.json()) as { items?: unknown[] };
          if (body.items?.length) return performance.now() - start;
          if (performance.now() - start > 30_000) throw new Error(`event ${i} not visible after 30 s`);
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      await one(-1); // cold starts of the four functions on the path
      const samples: number[] = [];
      const total = 100;
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let i = next++; i < total; i = next++) samples.push(await one(i));
        }),
      );
      console.log(
        `event → customer visible (${total} events, 4 concurrent senders): ${latencySummary(samples)}`,
      );
    } finally {
      await stack.stop();
    }
  },
};
