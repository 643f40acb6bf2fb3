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
import { latencyFigures, percentile } from './bench-stats.ts';
import { type ClosedLoopResult, type ClosedLoopTarget, runClosedLoop } from './closed-loop.client.ts';
import type { Bench } from './run.bench.ts';

const CUSTOMERS = Number(process.env.BENCH_API_CUSTOMERS ?? 1000);
const CLIENTS = 50;
const GOAL_P99_MS = 50;
const REQUESTS = Number(process.env.BENCH_API_REQUESTS ?? 3000);

/**
 * A birthday of its own per shopper: shoppers with similar names, the same birthday and the same city are
 * one person to the probabilistic matcher, and would be read as one customer merged a hundred times.
 */
const birthdayOf = (i: number) =>
  `${1960 + (i % 45)}-${String(1 + (Math.floor(i / 45) % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;

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
    traits: { name: `Shopper ${i}`, birthday: birthdayOf(i), city: 'Shanghai' },
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

/**
 * `GET /customers/{id}` under load on the local stack: customers seeded through the real pipeline (Kinesis,
 * cleaning, identity resolution, profile with sealed PII), then `CLIENTS` concurrent clients as `service`
 * (sees PII in clear: every read is audited) and as `analyst` (no PII, not audited). Prints latency
 * percentiles, throughput and errors, and the read function's own invocation time (the rest is the local
 * API and waiting for one of the function's execution environments).
 * `BENCH_API_CUSTOMERS` and `BENCH_API_REQUESTS` change the sizes.
 */
export const apiBench: Bench = {
  summary: `GET /customers/{id}: ${CLIENTS} concurrent clients, as service (PII, audited) and analyst (goal p99 ≤ ${GOAL_P99_MS} ms)`,
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
    const load = (target: ClosedLoopTarget, total: number) =>
      runClosedLoop({ target, ids, clients: CLIENTS, total });
    const p99s: string[] = [];
    const report = (label: string, { samples, statuses, seconds }: ClosedLoopResult) => {
      p99s.push(
        `${label.replace(/[:\s]+$/, '')} ${percentile(
          [...samples].sort((a, b) => a - b),
          99,
        ).toFixed(0)} ms`,
      );
      const errors = Object.entries(statuses)
        .filter(([s]) => s !== '200')
        .reduce((n, [, c]) => n + c, 0);
      console.log(
        `${label} ${latencyFigures(samples)}, ${Math.round(samples.length / seconds)} req/s, ` +
          `errors ${errors}${errors ? ` (${JSON.stringify(statuses)})` : ''}`,
      );
    };
    for (const role of ['service', 'analyst'] as const) {
      const api: ClosedLoopTarget = {
        kind: 'api',
        url: stack.endpoints.api,
        token: await signDevToken(keys, { role }),
      };
      // Warm-up at full concurrency: the execution environments start (cold starts are not measured).
      await load(api, CLIENTS * 4);
      if (read) read.durations.length = 0;
      const batches = writer?.invocations ?? 0;
      report(`as ${role.padEnd(7)}`, await load(api, REQUESTS));
      if (read) console.log(`  ${read.name} invocation: ${latencyFigures(read.durations)}`);
      if (writer && writer.invocations > batches)
        console.log(`  ${writer.name}: ${writer.invocations - batches} batches so far`);
    }
    // The floor under any read: the stand-in itself, asked the read's one query by the same clients.
    const table: ClosedLoopTarget = {
      kind: 'table',
      endpoint: stack.endpoints.dynamodb,
      tableName: stack.names.table,
    };
    await load(table, CLIENTS * 4);
    report("DynamoDB Local alone, the read's one query:", await load(table, REQUESTS));
    // With CLIENTS closed-loop clients, a p99 of GOAL_P99_MS needs about CLIENTS / GOAL_P99_MS requests a
    // millisecond; when the stand-in alone is slower than the goal, no local read can meet it.
    console.log(`goal p99 ≤ ${GOAL_P99_MS} ms; p99: ${p99s.join(', ')}`);
  } finally {
    await stack.stop();
  }
};
