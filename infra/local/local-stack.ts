import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { cognitoTokenVerifier } from '../../shared/adapters/auth/cognito-token.verifier.ts';
import {
  LOCAL_BLIND_INDEX_SECRET_ENV,
  LOCAL_PII_WRAPPING_KEY_ENV,
} from '../../shared/runtime/key-environment.ts';
import { HTTP_API_STAGE_SETTINGS } from '../config/http-api.config.ts';
import {
  bindingEnvironment,
  commonEnvironment,
  RESOURCE_SUMMARY_ENV,
  type ResourceNames,
  resourceSummary,
} from '../definitions/function-environment.ts';
import type { ResourceDefinitions } from '../definitions/resource.types.ts';
import { assertResourcesValid, resources } from '../definitions/resources.definition.ts';
import { LocalHttpApi } from './api/local-http-api.ts';
import {
  devJwks,
  LOCAL_APP_CLIENT_ID,
  LOCAL_MACHINE_CLIENT_ID,
  LOCAL_USER_POOL_ID,
  loadOrCreateDevKeys,
} from './auth/dev-tokens.ts';
import { LocalEventBus } from './bus/local-event-bus.ts';
import { startDynamoDbLocal } from './emulators/dynamodb-local.emulator.ts';
import { freePort, type RunningEmulator, startHostedEmulator } from './emulators/emulator-process.ts';
import { dynamoDbStreamShards } from './event-sources/dynamodb-stream-shards.ts';
import { kinesisShards } from './event-sources/kinesis-shards.ts';
import { SqsEventSourceRunner } from './event-sources/sqs-event-source.ts';
import { type ShardSource, StreamEventSourceRunner } from './event-sources/stream-event-source.ts';
import { LocalFunction } from './lambda/local-function.ts';
import {
  LOCAL_ACCOUNT,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalClients,
  type LocalEndpoints,
  localAwsEnvironment,
  localClients,
} from './local-clients.ts';
import { localArn, localResourceNames } from './local-names.ts';
import { DEV_KEYS_FILE, LOCAL_SECRETS_FILE, LOCAL_STAGE, REPO_ROOT } from './local-paths.ts';
import { loadOrCreateLocalSecrets } from './local-secrets.ts';
import { provisionLocalResources } from './provision-resources.ts';
import { LocalStateMachine, loadStateMachineDefinition } from './stepfunctions/local-state-machine.ts';

export type LocalStackOptions = {
  /** HTTP API port; 0 picks a free one. @default 3000 */
  readonly port?: number;
  /** Keep DynamoDB, Kinesis and S3 data in this directory between runs. In memory when absent. */
  readonly persistDir?: string;
  /** Resource definitions; tests pass their own. @default the platform's */
  readonly definitions?: ResourceDefinitions;
  /** Directory that function `entry` paths are relative to. @default the repository root */
  readonly entryRoot?: string;
  /** Browser origins the HTTP API allows. @default the dev stage's `corsAllowedOrigins` */
  readonly corsOrigins?: readonly string[];
  /**
   * Throttle routes as the dev stage does (its `apiThrottle`, or a route's own `throttle`): 429 with
   * Retry-After. Off by default so tests can send bursts; `npm start` turns it on.
   */
  readonly throttle?: boolean;
  readonly log?: (line: string) => void;
  /** Run scheduled functions at their rate, as EventBridge would. Off by default: tests call `runSchedule`. */
  readonly schedules?: boolean;
};

export type LocalStack = {
  readonly endpoints: LocalEndpoints & { readonly api: string };
  readonly names: ResourceNames;
  readonly clients: LocalClients;
  readonly definitions: ResourceDefinitions;
  readonly functions: ReadonlyMap<string, LocalFunction>;
  readonly streamSources: ReadonlyMap<string, StreamEventSourceRunner>;
  readonly sqsSources: ReadonlyMap<string, SqsEventSourceRunner>;
  readonly stateMachines: ReadonlyMap<string, LocalStateMachine>;
  readonly bus: LocalEventBus;
  readonly api: LocalHttpApi;
  /** What runs where, for the start banner and `GET /health`. */
  readonly services: readonly {
    readonly name: string;
    readonly endpoint: string;
    readonly standIn: string;
  }[];
  /** Invokes a schedule's function now with the event EventBridge sends (`Scheduled Event`). */
  readonly runSchedule: (id: string) => Promise<unknown>;
  readonly stop: () => Promise<void>;
};

/**
 * Starts the whole platform on AWS-API stand-ins and creates every resource from the same definitions the
 * CDK stacks read. Handlers run unchanged in worker threads; only endpoints differ.
 */
export const startLocalStack = async (opts: LocalStackOptions = {}): Promise<LocalStack> => {
  const defs = opts.definitions ?? resources;
  assertResourcesValid(defs);
  const log = opts.log ?? (() => undefined);
  const persist = (sub: string) => (opts.persistDir ? join(opts.persistDir, sub) : undefined);
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s().catch((e: unknown) => log(`shutdown: ${String(e)}`));
    stoppers.length = 0;
  };

  try {
    const emulators: RunningEmulator[] = await Promise.all([
      startDynamoDbLocal(opts.persistDir ? { persistDir: join(opts.persistDir, 'dynamodb') } : {}),
      startHostedEmulator('kinesalite', withPersist(persist('kinesis'))),
      startHostedEmulator('s3rver', withPersist(persist('s3'))),
      startHostedEmulator('sqs', {}),
    ]);
    stoppers.push(() => Promise.all(emulators.map((e) => e.stop())).then(() => undefined));
    const [dynamodb, kinesis, s3, sqs] = emulators.map((e) => e.endpoint) as [string, string, string, string];

    const functions = new Map<string, LocalFunction>();
    const stateMachines = new Map<string, LocalStateMachine>();
    const getFunction = (id: string): LocalFunction => {
      const fn = functions.get(id);
      if (!fn) throw new Error(`No local function ${id}`);
      return fn;
    };

    // The bus endpoint is part of every function's environment, so its port is chosen up front.
    const events = `http://127.0.0.1:${await freePort()}`;
    const endpoints: LocalEndpoints = { dynamodb, kinesis, s3, sqs, events };
    const clients = localClients(endpoints);
    let queueUrls = new Map<string, string>();
    let queueArns = new Map<string, string>();
    const busName = `c360-${LOCAL_STAGE}-${defs.bus.id}`;
    const bus = new LocalEventBus({
      busName,
      busArn: localArn('events', `event-bus/${busName}`),
      account: LOCAL_ACCOUNT,
      region: LOCAL_REGION,
      rules: defs.rules,
      ruleArn: (id) => localArn('events', `rule/${busName}/${id}`),
      sqs: clients.sqs,
      queueUrl: (id) => queueUrls.get(id) ?? '',
      queueArn: (id) => queueArns.get(id) ?? '',
      fn: getFunction,
      stateMachine: (id) => {
        const machine = stateMachines.get(id);
        if (!machine) throw new Error(`No local state machine ${id}`);
        return machine;
      },
      log,
    });
    await bus.listen(Number(new URL(events).port));
    stoppers.push(() => bus.close());

    queueUrls = await provisionLocalResources(defs, clients, LOCAL_STAGE);
    queueArns = new Map(
      await Promise.all(
        [...queueUrls].map(async ([id, url]) => {
          const a = await clients.sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
          );
          return [id, a.Attributes?.QueueArn ?? ''] as const;
        }),
      ),
    );
    const names = localResourceNames(LOCAL_STAGE, defs, queueUrls);

    const awsEnv = localAwsEnvironment(endpoints);
    const secrets = await loadOrCreateLocalSecrets(LOCAL_SECRETS_FILE);
    const summary = JSON.stringify(resourceSummary(defs, names));
    for (const def of defs.functions) {
      const functionName = `c360-${LOCAL_STAGE}-${def.id}`;
      functions.set(
        def.id,
        new LocalFunction({
          functionName,
          entryPath: join(opts.entryRoot ?? REPO_ROOT, def.entry),
          timeoutSeconds: def.timeoutSeconds,
          memoryMb: def.memoryMb,
          region: LOCAL_REGION,
          account: LOCAL_ACCOUNT,
          environment: {
            ...commonEnvironment(LOCAL_STAGE),
            ...awsEnv,
            ...bindingEnvironment(defs, def, names),
            ...(def.exposesResourceSummary ? { [RESOURCE_SUMMARY_ENV]: summary } : {}),
            ...(def.bindings.blindIndex ? { [LOCAL_BLIND_INDEX_SECRET_ENV]: secrets.blindIndex } : {}),
            ...(def.bindings.piiVault ? { [LOCAL_PII_WRAPPING_KEY_ENV]: secrets.wrappingKey } : {}),
            ...def.environment,
          },
          log,
        }),
      );
    }
    stoppers.push(() => Promise.all([...functions.values()].map((f) => f.close())).then(() => undefined));

    const functionArn = (id: string) => localArn('lambda', `function:${getFunction(id).name}`);
    const byNameOrArn = new Map(
      [...functions.values()].flatMap((f) => [
        [f.name, f],
        [localArn('lambda', `function:${f.name}`), f],
      ]),
    );
    for (const def of defs.stateMachines) {
      const asl = await loadStateMachineDefinition(def, opts.entryRoot ?? REPO_ROOT, functionArn);
      stateMachines.set(
        def.id,
        new LocalStateMachine({
          definition: def,
          asl,
          stateMachineArn: localArn('states', `stateMachine:c360-${LOCAL_STAGE}-${def.id}`),
          functionNamed: (nameOrArn) => {
            const fn = byNameOrArn.get(nameOrArn);
            if (!fn) throw new Error(`Function not found: ${nameOrArn}`);
            return fn;
          },
          log,
        }),
      );
    }
    stoppers.push(async () => {
      await Promise.all([...stateMachines.values()].map((m) => m.stop()));
    });

    const streamSources = new Map<string, StreamEventSourceRunner>();
    const dynamoDbStreams = new DynamoDBStreamsClient({
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: endpoints.dynamodb,
    });
    const sqsSources = new Map<string, SqsEventSourceRunner>();
    for (const es of defs.eventSources) {
      const fn = getFunction(es.functionId);
      const functionArn = localArn('lambda', `function:${fn.name}`);
      if (es.source.type !== 'sqs') {
        const src = es.source;
        let streamArn: string;
        let shards: ShardSource;
        if (src.type === 'kinesis') {
          const streamName = names.stream(src.streamId);
          streamArn = localArn('kinesis', `stream/${streamName}`);
          shards = kinesisShards({
            kinesis: clients.kinesis,
            streamName,
            streamArn,
            functionArn,
            region: LOCAL_REGION,
          });
        } else {
          const table = await clients.dynamodb.send(new DescribeTableCommand({ TableName: names.table }));
          streamArn = table.Table?.LatestStreamArn ?? '';
          shards = dynamoDbStreamShards({ streams: dynamoDbStreams, streamArn, region: LOCAL_REGION });
        }
        const runner = new StreamEventSourceRunner({
          settings: src,
          shards,
          fn,
          functionArn,
          streamArn,
          onFailureQueueUrl: names.queueUrl(src.onFailureQueueId),
          sqs: clients.sqs,
          log,
        });
        await runner.start();
        streamSources.set(es.id, runner);
      } else {
        const runner = new SqsEventSourceRunner({
          source: es.source,
          fn,
          queueUrl: names.queueUrl(es.source.queueId),
          queueArn: queueArns.get(es.source.queueId) ?? '',
          sqs: clients.sqs,
          region: LOCAL_REGION,
          log,
        });
        runner.start();
        sqsSources.set(es.id, runner);
      }
    }
    stoppers.push(async () => {
      await Promise.all([...streamSources.values(), ...sqsSources.values()].map((r) => r.stop()));
    });

    const keys = await loadOrCreateDevKeys(DEV_KEYS_FILE);
    const api = new LocalHttpApi({
      routes: defs.routes,
      fn: getFunction,
      verifyToken: cognitoTokenVerifier({
        userPoolId: LOCAL_USER_POOL_ID,
        clientIds: [LOCAL_APP_CLIENT_ID, LOCAL_MACHINE_CLIENT_ID],
        jwks: devJwks(keys),
      }),
      account: LOCAL_ACCOUNT,
      corsOrigins: opts.corsOrigins ?? HTTP_API_STAGE_SETTINGS.dev.corsAllowedOrigins,
      ...(opts.throttle ? { throttle: HTTP_API_STAGE_SETTINGS.dev.apiThrottle } : {}),
      log,
    });
    const apiEndpoint = await api.listen(opts.port ?? 3000);
    stoppers.push(() => api.close());

    const services = [
      {
        name: 'HTTP API',
        endpoint: apiEndpoint,
        standIn: 'c360 local API Gateway (HTTP API v2, JWT authorizer)',
      },
      { name: 'DynamoDB', endpoint: dynamodb, standIn: 'DynamoDB Local 1.25.1' },
      { name: 'Kinesis', endpoint: kinesis, standIn: 'kinesalite 3.3.3' },
      { name: 'S3', endpoint: s3, standIn: 's3rver 3.7.1' },
      { name: 'SQS', endpoint: sqs, standIn: 'local-aws-sqs 2.0.2' },
      { name: 'EventBridge', endpoint: events, standIn: 'c360 local bus (PutEvents + pattern matcher)' },
      {
        name: 'Step Functions',
        endpoint: 'in process',
        standIn: 'aws-local-stepfunctions 3.0.0 (same ASL files)',
      },
      // Athena (DuckDB) joins here when analytics queries land.
    ];
    const runSchedule = (id: string): Promise<unknown> => {
      const schedule = defs.schedules.find((x) => x.id === id);
      if (!schedule) throw new Error(`no schedule ${id}`);
      return getFunction(schedule.functionId).invoke(scheduledEvent(schedule.id, LOCAL_REGION));
    };
    if (opts.schedules)
      for (const schedule of defs.schedules) {
        const unitMs = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 }[schedule.every.unit];
        const timer = setInterval(() => {
          runSchedule(schedule.id).catch((e: unknown) => log(`schedule ${schedule.id}: ${String(e)}`));
        }, schedule.every.value * unitMs);
        timer.unref();
        stoppers.push(async () => clearInterval(timer));
      }
    return {
      runSchedule,
      endpoints: { ...endpoints, api: apiEndpoint },
      names,
      clients,
      definitions: defs,
      functions,
      streamSources,
      sqsSources,
      stateMachines,
      bus,
      api,
      services,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};

/** The event a scheduled EventBridge rule delivers to its function. */
const scheduledEvent = (ruleId: string, region: string) => ({
  version: '0',
  id: crypto.randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: LOCAL_ACCOUNT,
  time: new Date().toISOString(),
  region,
  resources: [`arn:aws:events:${region}:${LOCAL_ACCOUNT}:rule/${ruleId}`],
  detail: {},
});

const withPersist = (dir: string | undefined): Record<string, unknown> => (dir ? { persistDir: dir } : {});
