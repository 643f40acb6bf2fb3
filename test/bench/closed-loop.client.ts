import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/local-clients.ts';
import { customerSnapshotQuery } from '../../shared/adapters/dynamodb/customer-snapshot.repository.ts';

/** What the clients do: read customers through the API, or run the read's one query straight on the table. */
export type ClosedLoopTarget =
  | { readonly kind: 'api'; readonly url: string; readonly token: string }
  | { readonly kind: 'table'; readonly endpoint: string; readonly tableName: string };

export type ClosedLoopRun = {
  readonly target: ClosedLoopTarget;
  readonly ids: readonly string[];
  readonly clients: number;
  readonly total: number;
};

export type ClosedLoopResult = {
  readonly samples: readonly number[];
  readonly statuses: Readonly<Record<string, number>>;
  readonly seconds: number;
};

/** One request of a client; the status it got (200 for a table query that answered). */
const requester = (target: ClosedLoopTarget): ((id: string) => Promise<number>) => {
  if (target.kind === 'api')
    return async (id) => {
      const res = await fetch(`${target.url}/customers/${id}`, {
        headers: { authorization: `Bearer ${target.token}`, 'x-c360-purpose': 'bench' },
      });
      await res.arrayBuffer();
      return res.status;
    };
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: target.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
  );
  // Exactly the customer read's query (`dynamoCustomerSnapshots`).
  return async (id) => {
    await db.send(new QueryCommand(customerSnapshotQuery(target.tableName, id)));
    return 200;
  };
};

/** `clients` closed-loop clients, each sending its next request when the last one answered. */
const closedLoop = async ({ target, ids, clients, total }: ClosedLoopRun): Promise<ClosedLoopResult> => {
  const send = requester(target);
  const samples: number[] = [];
  const statuses: Record<string, number> = {};
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (issued++ < total) {
        const id = ids[Math.floor(Math.random() * ids.length)] ?? '';
        const t0 = performance.now();
        const status = await send(id).catch(() => 0);
        samples.push(performance.now() - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return { samples, statuses, seconds: (performance.now() - started) / 1000 };
};

/**
 * Runs the clients in a process of their own, as real clients are: their HTTP work does not share the
 * local platform's event loop (which runs the API, the event-source pollers and the bus).
 */
export const runClosedLoop = (run: ClosedLoopRun): Promise<ClosedLoopResult> =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    child.once('message', (result) => {
      resolve(result as ClosedLoopResult);
      child.kill();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`closed-loop clients exited with ${code}`)));
    child.send(run);
  });

if (process.send && process.argv[1] === fileURLToPath(import.meta.url))
  process.once('message', (run: ClosedLoopRun) => {
    void closedLoop(run).then((result) => process.send?.(result));
  });
