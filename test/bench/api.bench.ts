import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { ChannelEnvelopeV1 } from '../../events/channel/channel-envelope.v1.ts';
import {
  appendAuditEntriesFunction,
  readCustomersFunction,
} from '../../infra/definitions/functions.definition.ts';
import type { ResourceDefinitions } from '../../infra/definitions/resource.types.ts';
import { ingestStream } from '../../infra/definitions/streams.definition.ts';
import { loadOrCreateDevKeys, signDevToken } from '../../infra/local/auth/dev-tokens.ts';
import { DEV_KEYS_FILE } from '../../infra/local/local-paths.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { createChannelProducer } from '../../shared/adapters/kinesis/channel-event.producer.ts';
import { latencyFigures } from './bench-stats.ts';
import type { Bench } from './run.bench.ts';

const CUSTOMERS = Number(process.env.BENCH_API_CUSTOMERS ?? 1000);
const CLIENTS = 50;
const REQUESTS = Number(process.env.BENCH_API_REQUESTS ?? 3000);

/** A named customer with an e-mail, a phone and a city: a read shows PII to the roles allowed to see it. */
const shopper = (run: string, i: number): ChannelEnvelopeV1 =>
  ({
    specVersion: '1',
    messageId: `api-bench-${run}-${i}`,
    occurredAt: new Date().toISOString(),
    type: 'segment.message',
    source: 'web-shop',
    channel: 'web',
    identities: { email: `shopper.${run}.${i}@example.com`, phone: `+86138${String(i).padStart(8, '0')}` },
    traits: { name: `Shopper ${i}`, birthday: '1990-05-17', city: 'Shanghai' },
    payload: { type: 'identify', userId: `api-bench-${run}-${i}`, traits: {} },
  }) as ChannelEnvelopeV1;

/** The ids of customers whose profile carries a name (their PII made it through the pipeline). */
const profiledCustomers = async (stack: LocalStack): Promise<string[]> => {
  const db = DynamoDBDocumentClient.from(stack.clients.dynamodb);
  const ids: string[] = [];
  for await (const page of paginateScan(
    { client: db },
    {
      TableName: stack.names.table,
      FilterExpression: 'sk = :sk AND attribute_exists(pii)',
      ProjectionExpression: 'customerId',
      ExpressionAttributeValues: { ':sk': 'P360' },
    },
  ))
    for (const item of page.Items ?? []) if (typeof item.customerId === 'string') ids.push(item.customerId);
  return ids;
};

/** Waits until the pipeline behind the seeding (outbox, rescoring, the lake) has stopped invoking functions. */
const quiet = async (stack: LocalStack): Promise<void> => {
  const invocations = () => [...stack.functions.values()].reduce((n, f) => n + f.invocations, 0);
  for (let last = -1, now = invocations(); now !== last; last = now, now = invocations())
    await new Promise((r) => setTimeout(r, 3000));
};

/** `CLIENTS` clients, each reading random customers back to back until `total` requests are done. */
const load = async (url: string, ids: readonly string[], token: string, total: number) => {
  const samples: number[] = [];
  const statuses = new Map<number, number>();
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (issued++ < total) {
        const id = ids[Math.floor(Math.random() * ids.length)] ?? '';
        const t0 = performance.now();
        const res = await fetch(`${url}/customers/${id}`, {
          headers: { authorization: `Bearer ${token}`, 'x-c360-purpose': 'bench' },
        });
        await res.arrayBuffer();
        samples.push(performance.now() - t0);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { samples, statuses, seconds };
};

/**
 * `GET /customers/{id}` under load on the local stack: customers seeded through the real pipeline (Kinesis,
 * cleaning, identity resolution, profile with sealed PII), then `CLIENTS` concurrent clients as `service`
 * (sees PII in clear: every read is audited) and as `analyst` (no PII, not audited). Prints latency
 * percentiles, throughput and errors, and the read function's own invocation time (the rest is the local
 * API and waiting for one of the function's execution environments).
 * `BENCH_API_CUSTOMERS` and `BENCH_API_REQUESTS` change the sizes.
 */
export const apiBench: Bench = {
  summary: `GET /customers/{id}: ${CLIENTS} concurrent clients, as service (PII, audited) and analyst (goal p99 ≤ 50 ms)`,
  run: () => runApiBench(),
};

/** The benchmark on the given definitions (the platform's by default), e.g. to compare a handler's variant. */
export const runApiBench = async (definitions?: ResourceDefinitions): Promise<void> => {
  const stack = await startLocalStack({ port: 0, ...(definitions ? { definitions } : {}) });
  try {
    const run = Date.now().toString(36);
    const seeding = performance.now();
    await createChannelProducer({
      client: stack.clients.kinesis,
      streamName: stack.names.stream(ingestStream.id),
    }).send(Array.from({ length: CUSTOMERS }, (_, i) => shopper(run, i)));
    let ids: string[] = [];
    for (;;) {
      ids = await profiledCustomers(stack);
      if (ids.length >= CUSTOMERS) break;
      if (performance.now() - seeding > 600_000) throw new Error(`only ${ids.length} customers after 10 min`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await quiet(stack);
    console.log(
      `seeded ${ids.length} customers through the pipeline in ${((performance.now() - seeding) / 1000).toFixed(1)} s (and quiet)`,
    );

    const keys = await loadOrCreateDevKeys(DEV_KEYS_FILE);
    const read = stack.functions.get(readCustomersFunction.id);
    const writer = stack.functions.get(appendAuditEntriesFunction.id);
    for (const role of ['service', 'analyst'] as const) {
      const token = await signDevToken(keys, { role });
      // Warm-up at full concurrency: the execution environments start (cold starts are not measured).
      await load(stack.endpoints.api, ids, token, CLIENTS * 4);
      if (read) read.durations.length = 0;
      const batches = writer?.invocations ?? 0;
      const { samples, statuses, seconds } = await load(stack.endpoints.api, ids, token, REQUESTS);
      const errors = [...statuses].filter(([s]) => s !== 200).reduce((n, [, c]) => n + c, 0);
      console.log(
        `as ${role.padEnd(7)} ${latencyFigures(samples)}, ${Math.round(samples.length / seconds)} req/s, ` +
          `errors ${errors}${errors ? ` (${JSON.stringify(Object.fromEntries(statuses))})` : ''}`,
      );
      if (read) console.log(`  ${read.name} invocation: ${latencyFigures(read.durations)}`);
      if (writer && writer.invocations > batches)
        console.log(`  ${writer.name}: ${writer.invocations - batches} batches so far`);
    }
  } finally {
    await stack.stop();
  }
};
