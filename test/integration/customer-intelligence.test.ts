import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelEnvelopeV1 } from '../../events/channel/channel-envelope.v1.ts';
import { modelBucket } from '../../infra/definitions/buckets.definition.ts';
import { weeklyRetrainSchedule } from '../../infra/definitions/bus.definition.ts';
import { ingestStream } from '../../infra/definitions/streams.definition.ts';
import { loadOrCreateDevKeys, signDevToken } from '../../infra/local/auth/dev-tokens.ts';
import {
  DEMO_SHOPPERS,
  demoShopperEvents,
  profileTotals,
} from '../../infra/local/demo/demo-shoppers.seed.ts';
import { DEV_KEYS_FILE } from '../../infra/local/local-paths.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { createChannelProducer } from '../../shared/adapters/kinesis/channel-event.producer.ts';
import type { CustomerScores } from '../../shared/domain/scoring/customer-intelligence.model.ts';
import type { TrainingOutcome } from '../../shared/use-cases/scoring/train-customer-models.use-case.ts';
import { eventually } from '../helpers/eventually.ts';

type Role = 'admin' | 'marketing' | 'analyst' | 'service' | 'sales';
const { loyal: LOYAL, lapsed: LAPSED } = DEMO_SHOPPERS;

describe('Customer intelligence on the local stack: retrain, batch scoring, segments, rescoring on events', () => {
  let stack: LocalStack;
  let token: (role: Role) => Promise<string>;
  let db: DynamoDBDocumentClient;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    const keys = await loadOrCreateDevKeys(DEV_KEYS_FILE);
    token = (role) => signDevToken(keys, { role });
    db = DynamoDBDocumentClient.from(stack.clients.dynamodb);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const call = async (role: Role, path: string) => {
    const res = await fetch(`${stack.endpoints.api}${path}`, {
      headers: { authorization: `Bearer ${await token(role)}` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const scanWhere = async (filter: string, values: Record<string, unknown>) => {
    const items: Record<string, unknown>[] = [];
    for await (const page of paginateScan(
      { client: db },
      { TableName: stack.names.table, FilterExpression: filter, ExpressionAttributeValues: values },
    ))
      items.push(...(page.Items ?? []));
    return items;
  };
  const scan = (sk: string) => scanWhere('sk = :sk', { ':sk': sk });
  const customerOf = async (card: string) =>
    (
      (await call('sales', `/customers?memberCard=${card}`)).body.items as
        | { customerId: string; scores?: CustomerScores }[]
        | undefined
    )?.[0];

  it('trains on the platform’s own history, scores every customer in batch, lists segments and rescoring follows events', async () => {
    const events = demoShopperEvents(Date.now());
    const producer = createChannelProducer({
      client: stack.clients.kinesis,
      streamName: stack.names.stream(ingestStream.id),
    });
    expect((await producer.send(events)).failed).toEqual([]);
    const purchases = events.filter((e) => e.type === 'pos.purchase').length;
    await eventually(
      () => profileTotals(stack),
      (x) => x.profiles === LOYAL + LAPSED && x.purchases === purchases,
      { timeoutMs: 180_000, intervalMs: 1000 },
    );

    // The weekly schedule fires: train, publish, promote, start the batch run.
    const outcome = (await stack.runSchedule(weeklyRetrainSchedule.id)) as TrainingOutcome;
    expect(outcome.customers).toBe(LOYAL + LAPSED);
    expect(outcome.churn).toMatch(/^auc /);

    // The registry holds the version with its card, and the pointer names it.
    const bucket = stack.names.bucket(modelBucket.id);
    const read = async (key: string) =>
      JSON.parse(
        (await (
          await stack.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        ).Body?.transformToString()) ?? '{}',
      ) as Record<string, unknown>;
    expect(await read('customer-intelligence/current.json')).toMatchObject({ version: outcome.version });
    const card = await read(`customer-intelligence/${outcome.version}/card.json`);
    expect(card).toMatchObject({ customers: LOYAL + LAPSED, churn: { rows: LOYAL + LAPSED } });
    expect((card.featureSchema as { name: string }[]).map((f) => f.name)).toContain('recencyDays');

    // The batch run covers everyone: every segment of the scan finishes, every customer has scores.
    const checkpoints = await eventually(
      async () =>
        (await scanWhere('pk = :pk', { ':pk': `SCORING#${outcome.runId}` })).map(
          (i) => i.checkpoint as { done: boolean; scored: number; unchanged: number },
        ),
      (cps) => cps.length === 4 && cps.every((c) => c.done),
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    expect(checkpoints.reduce((a, c) => a + c.scored + c.unchanged, 0)).toBe(LOYAL + LAPSED);
    const scored = await eventually(
      () => scan('SCORES'),
      (items) => items.length === LOYAL + LAPSED,
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    expect(scored).toHaveLength(LOYAL + LAPSED);

    // GET /segments: value tiers cover everyone once; churn risk is mostly the lapsed.
    const segments = await eventually(
      async () =>
        (await call('marketing', '/segments')).body.items as {
          name: string;
          kind: string;
          members: number;
        }[],
      (items) =>
        items.filter((s) => s.kind === 'value-tier').reduce((a, s) => a + s.members, 0) === LOYAL + LAPSED,
    );
    expect(segments.some((s) => s.kind === 'cluster')).toBe(true);
    const risk = segments.find((s) => s.name === 'churn-risk');
    expect(risk?.members ?? 0).toBeGreaterThan(0);

    // GET /segments/churn-risk/customers, two at a time: every member once.
    const members: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const res = await call(
        'marketing',
        `/segments/churn-risk/customers?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      members.push(...(res.body.items as { customerId: string }[]).map((m) => m.customerId));
      cursor = res.body.next as string | undefined;
      if (!cursor) break;
    }
    expect(new Set(members).size).toBe(members.length);
    expect(members).toHaveLength(risk?.members ?? -1);
    const lapsedIds = new Set(
      (await Promise.all(Array.from({ length: LAPSED }, (_, c) => customerOf(`LAPSED-${c}`)))).map(
        (c) => c?.customerId,
      ),
    );
    const lapsedAtRisk = members.filter((id) => lapsedIds.has(id)).length;
    expect(lapsedAtRisk / members.length).toBeGreaterThanOrEqual(0.8);

    // One ChurnRiskRaised per customer at risk went through the outbox.
    const raised = (await scan('OUTBOX')).filter((o) => o.detailType === 'ChurnRiskRaised');
    expect(new Set(raised.map((o) => (o.detail as { customerId: string }).customerId))).toEqual(
      new Set(members),
    );

    // The profile read shows the scores with reasons.
    const lapsed = await customerOf('LAPSED-0');
    expect(lapsed?.scores?.churn?.reasons.length).toBeGreaterThan(0);
    expect(lapsed?.scores?.memberships).toContain(`rfm-${lapsed?.scores?.rfm.tier}`);
    const before = lapsed?.scores;

    // An event: LAPSED-0 buys today → ProfileUpdated → rescored, recency back to ~0.
    await producer.send([
      {
        ...(events.find((e) => e.messageId === 'demo-LAPSED-0-p0') as ChannelEnvelopeV1),
        messageId: 'demo-LAPSED-0-back',
        occurredAt: new Date().toISOString(),
      } as ChannelEnvelopeV1,
    ]);
    const after = await eventually(
      () => customerOf('LAPSED-0'),
      (c) => (c?.scores?.features.recencyDays ?? 999) < 1,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(after?.scores?.features.frequency).toBe((before?.features.frequency ?? 0) + 1);
    expect(after?.scores?.churn?.score).toBeLessThan(before?.churn?.score ?? 0);

    // Roles: analysts see segment sizes but not members; service staff neither.
    expect((await call('analyst', '/segments')).status).toBe(200);
    expect((await call('analyst', '/segments/churn-risk/customers')).status).toBe(403);
    expect((await call('service', '/segments')).status).toBe(403);
    expect((await call('marketing', '/segments/no-such-segment/customers')).status).toBe(404);
    expect((await call('marketing', '/segments/churn-risk/customers?cursor=%%%')).status).toBe(400);
  }, 400_000);
});
