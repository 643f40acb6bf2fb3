import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { quarantineBucket } from '../../infra/definitions/buckets.definition.ts';
import {
  bindingEnvironment,
  commonEnvironment,
  RESOURCE_SUMMARY_ENV,
  type ResourceNames,
} from '../../infra/definitions/function-environment.ts';
import { getHealthFunction } from '../../infra/definitions/functions.definition.ts';
import { busDeliveryDlq, ingestFailuresDlq } from '../../infra/definitions/queues.definition.ts';
import type {
  EventSourceDefinition,
  FunctionDefinition,
  ResourceDefinitions,
  RouteDefinition,
  RuleDefinition,
} from '../../infra/definitions/resource.types.ts';
import { resources } from '../../infra/definitions/resources.definition.ts';
import { ROLES } from '../../infra/definitions/routes.definition.ts';
import { ingestStream } from '../../infra/definitions/streams.definition.ts';
import { resourceById } from '../../infra/stacks/data.stack.ts';
import { logicalIdOf, propertiesOf, type SynthesizedC360, synthC360 } from './c360-app.fixture.ts';

/*
 * Today's definitions have no Kinesis consumer, no function rule target and no protected route. A second,
 * extended definition set adds one of each (and a function with every binding kind) so those code paths
 * are synthesized, asserted and nag-checked too.
 */
const everyBinding = {
  id: 'ProcessIngest',
  entry: getHealthFunction.entry, // any real module: tests skip bundling
  description: 'Test-only function with every binding kind',
  timeoutSeconds: 60,
  memoryMb: 1024,
  bindings: {
    table: 'readWrite',
    bus: 'put',
    streams: { [ingestStream.id]: 'write' },
    queues: { [ingestFailuresDlq.id]: 'send' },
    buckets: { [quarantineBucket.id]: 'readWrite' },
    blindIndex: true,
    piiVault: true,
  },
} as const satisfies FunctionDefinition;

const kinesisSource = {
  id: 'IngestToProcess',
  functionId: everyBinding.id,
  source: {
    type: 'kinesis',
    streamId: ingestStream.id,
    startingPosition: 'TRIM_HORIZON',
    batchSize: 250,
    maxBatchingWindowSeconds: 2,
    bisectBatchOnError: true,
    maximumRetryAttempts: 3,
    maximumRecordAgeSeconds: 3600,
    parallelizationFactor: 2,
    reportBatchItemFailures: true,
    onFailureQueueId: ingestFailuresDlq.id,
  },
} as const satisfies EventSourceDefinition;

/** The outbox pattern: inserted cleaned events on the table's stream, filtered before invocation. */
const tableStreamSource = {
  id: 'CleanedEventsToProcess',
  functionId: everyBinding.id,
  source: {
    type: 'table-stream',
    startingPosition: 'TRIM_HORIZON',
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    bisectBatchOnError: true,
    maximumRetryAttempts: -1,
    maximumRecordAgeSeconds: -1,
    parallelizationFactor: 1,
    reportBatchItemFailures: true,
    onFailureQueueId: ingestFailuresDlq.id,
    filters: [{ eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: ['CLEANED'] } } } }],
  },
} as const satisfies EventSourceDefinition;

const functionRule = {
  id: 'CustomerCreatedToProcess',
  description: 'Test-only rule with a function target',
  eventPattern: { source: [resources.bus.source], 'detail-type': ['customer.created.v1'] },
  targets: [
    {
      type: 'function',
      functionId: everyBinding.id,
      maximumRetryAttempts: 2,
      deadLetterQueueId: busDeliveryDlq.id,
    },
  ],
} as const satisfies RuleDefinition;

const protectedRoute = {
  id: 'ProcessIngestProbe',
  method: 'GET',
  path: '/test-only/{id}',
  functionId: everyBinding.id,
  auth: { permission: 'test:probe', groups: ['admin', 'sales'] },
} as const satisfies RouteDefinition;

const extendedDefinitions: ResourceDefinitions = {
  ...resources,
  functions: [...resources.functions, everyBinding],
  eventSources: [...resources.eventSources, kinesisSource, tableStreamSource],
  rules: [...resources.rules, functionRule],
  routes: [...resources.routes, protectedRoute],
};

/** Placeholder names: only the variable names matter for the key comparison. */
const placeholderNames: ResourceNames = {
  table: 'x',
  bus: 'x',
  stream: () => 'x',
  queueUrl: () => 'x',
  bucket: () => 'x',
  blindIndexKey: 'x',
  piiKey: 'x',
};

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
const asList = (x: string | string[]): string[] => (Array.isArray(x) ? x : [x]);

/** Every statement of the inline policies attached to a role. */
const statementsOfRole = (template: Template, roleLogicalId: string): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => {
    const props = p.Properties as { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } };
    return props.Roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }))
      ? props.PolicyDocument.Statement
      : [];
  });

describe('Infra: app stack', () => {
  let current: SynthesizedC360;
  let extended: SynthesizedC360;

  beforeAll(() => {
    current = synthC360('dev');
    extended = synthC360('dev', extendedDefinitions);
  });

  const both = () => [current, extended];
  /** A data-stack value as the app stack's template renders it (an import). */
  const inApp = (s: SynthesizedC360, value: unknown) => s.stacks.app.resolve(value);

  describe('functions', () => {
    it('deploys each function definition as nodejs22.x on arm64 with active tracing', () => {
      for (const s of both()) {
        for (const def of s.definitions.functions) {
          const fn = resourceById(s.stacks.app.functions, def.id);
          expect(propertiesOf(s.appTemplate, logicalIdOf(fn.function))).toMatchObject({
            Runtime: 'nodejs22.x',
            Architectures: ['arm64'],
            TracingConfig: { Mode: 'Active' },
            MemorySize: def.memoryMb,
            Timeout: def.timeoutSeconds,
            Description: def.description,
            Handler: 'index.handler',
            LoggingConfig: { LogGroup: { Ref: logicalIdOf(fn.logGroup) } },
          });
          expect(propertiesOf(s.appTemplate, logicalIdOf(fn.logGroup)).RetentionInDays).toBe(
            s.config.logRetention,
          );
        }
      }
    });

    it('gives each function the common environment, one variable per binding, its own settings and the summary only if asked', () => {
      for (const s of both()) {
        for (const def of s.definitions.functions) {
          const fn = resourceById(s.stacks.app.functions, def.id);
          const { Environment } = propertiesOf(s.appTemplate, logicalIdOf(fn.function)) as {
            Environment: { Variables: Record<string, unknown> };
          };
          const vars = Environment.Variables;
          expect(vars).toMatchObject(commonEnvironment(s.config.stage));
          const expected = Object.keys(bindingEnvironment(s.definitions, def, placeholderNames));
          if (def.exposesResourceSummary) expected.push(RESOURCE_SUMMARY_ENV);
          const settings: Readonly<Record<string, string>> = def.environment ?? {};
          expected.push(...Object.keys(settings));
          expect(vars).toMatchObject(settings);
          const actual = Object.keys(vars).filter((k) => !(k in commonEnvironment(s.config.stage)));
          expect(actual.sort()).toEqual(expected.sort());
        }
      }
    });

    it('passes the table name of the data stack to table-bound functions', () => {
      const fn = resourceById(current.stacks.app.functions, getHealthFunction.id);
      const { Environment } = propertiesOf(current.appTemplate, logicalIdOf(fn.function)) as {
        Environment: { Variables: Record<string, unknown> };
      };
      expect(Environment.Variables[resources.table.envVar]).toEqual(
        inApp(current, current.stacks.data.table.tableName),
      );
    });

    // X-Ray and dynamodb:ListStreams support no resource-level scoping (IAM service authorization reference).
    it('grants no wildcard actions, and a wildcard resource only for X-Ray and ListStreams', () => {
      for (const s of both()) {
        for (const def of s.definitions.functions) {
          const role = resourceById(s.stacks.app.functions, def.id).role;
          const statements = statementsOfRole(s.appTemplate, logicalIdOf(role));
          expect(statements.length).toBeGreaterThan(0);
          for (const st of statements) {
            expect(asList(st.Action).filter((a) => a.includes('*'))).toEqual([]);
            if (st.Resource === '*')
              expect(
                asList(st.Action).every((a) => a.startsWith('xray:') || a === 'dynamodb:ListStreams'),
              ).toBe(true);
          }
        }
      }
    });

    it('scopes table reads to the table and its defined indexes by name, never index/*', () => {
      const s = extended;
      const role = resourceById(s.stacks.app.functions, everyBinding.id).role;
      const tableArn = inApp(s, s.stacks.data.table.tableArn);
      const read = statementsOfRole(s.appTemplate, logicalIdOf(role)).find((st) =>
        asList(st.Action).includes('dynamodb:Query'),
      );
      expect(read?.Resource).toEqual([
        tableArn,
        ...resources.table.globalSecondaryIndexes.map((gsi) => ({
          'Fn::Join': ['', [tableArn, `/index/${gsi.indexName}`]],
        })),
      ]);
    });

    it('uses the data key only through the service of the bound resource', () => {
      const s = extended;
      const role = resourceById(s.stacks.app.functions, everyBinding.id).role;
      const keyArn = inApp(s, s.stacks.data.key.keyArn);
      const viaServices = statementsOfRole(s.appTemplate, logicalIdOf(role))
        .filter((st) => JSON.stringify(st.Resource) === JSON.stringify(keyArn))
        .map((st) => JSON.stringify(st.Condition ?? null));
      for (const service of ['dynamodb', 's3', 'kinesis', 'sqs']) {
        expect(viaServices.some((c) => c.includes(`"kms:ViaService":{"Fn::Join":["",["${service}.`))).toBe(
          true,
        );
      }
    });
  });

  describe('blind index key', () => {
    it('lets a blind-index-bound function only generate MACs, only with the HMAC key', () => {
      const s = extended;
      const role = resourceById(s.stacks.app.functions, everyBinding.id).role;
      const hmacKeyArn = JSON.stringify(inApp(s, s.stacks.data.blindIndexKey.keyArn));
      const onKey = statementsOfRole(s.appTemplate, logicalIdOf(role)).filter(
        (st) => JSON.stringify(st.Resource) === hmacKeyArn,
      );
      expect(onKey.flatMap((st) => asList(st.Action))).toEqual(['kms:GenerateMac']);
      const healthRole = resourceById(s.stacks.app.functions, 'GetHealth').role;
      expect(
        statementsOfRole(s.appTemplate, logicalIdOf(healthRole)).some(
          (st) => JSON.stringify(st.Resource) === hmacKeyArn,
        ),
      ).toBe(false);
    });

    it('is an HMAC-256 key for MAC generation and verification', () => {
      current.dataTemplate.hasResourceProperties('AWS::KMS::Key', {
        KeySpec: 'HMAC_256',
        KeyUsage: 'GENERATE_VERIFY_MAC',
      });
    });
  });

  describe('PII wrapping key', () => {
    it('lets a PII-vault-bound function only wrap and unwrap customer keys, with their purpose in the context', () => {
      const s = extended;
      const piiKeyArn = JSON.stringify(inApp(s, s.stacks.data.piiKey.keyArn));
      const onKey = (id: string) =>
        statementsOfRole(s.appTemplate, logicalIdOf(resourceById(s.stacks.app.functions, id).role)).filter(
          (st) => JSON.stringify(st.Resource) === piiKeyArn,
        );
      expect(onKey(everyBinding.id)).toEqual([
        {
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Effect: 'Allow',
          Resource: expect.anything(),
          Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'c360-customer-key' } },
        },
      ]);
      expect(onKey('GetHealth')).toEqual([]);
    });
  });

  describe('event source mappings', () => {
    it('configures each SQS and Kinesis source as defined', () => {
      for (const s of both()) {
        for (const def of s.definitions.eventSources) {
          const fn = resourceById(s.stacks.app.functions, def.functionId);
          const src = def.source;
          const expected =
            src.type === 'sqs'
              ? {
                  EventSourceArn: inApp(s, resourceById(s.stacks.data.queues, src.queueId).queueArn),
                  BatchSize: src.batchSize,
                  MaximumBatchingWindowInSeconds: src.maxBatchingWindowSeconds,
                  FunctionResponseTypes: src.reportBatchItemFailures
                    ? ['ReportBatchItemFailures']
                    : Match.absent(),
                  ScalingConfig: { MaximumConcurrency: src.maxConcurrency },
                }
              : {
                  EventSourceArn:
                    src.type === 'kinesis'
                      ? inApp(s, resourceById(s.stacks.data.streams, src.streamId).streamArn)
                      : inApp(s, s.stacks.data.table.tableStreamArn),
                  FilterCriteria: src.filters?.length
                    ? { Filters: src.filters.map((f) => ({ Pattern: JSON.stringify(f) })) }
                    : Match.absent(),
                  StartingPosition: src.startingPosition,
                  BatchSize: src.batchSize,
                  MaximumBatchingWindowInSeconds: src.maxBatchingWindowSeconds,
                  BisectBatchOnFunctionError: src.bisectBatchOnError,
                  // -1 (until the record expires) is CloudFormation's default: the property is left out.
                  MaximumRetryAttempts:
                    src.maximumRetryAttempts >= 0 ? src.maximumRetryAttempts : Match.absent(),
                  MaximumRecordAgeInSeconds:
                    src.maximumRecordAgeSeconds >= 0 ? src.maximumRecordAgeSeconds : Match.absent(),
                  ParallelizationFactor: src.parallelizationFactor,
                  FunctionResponseTypes: src.reportBatchItemFailures
                    ? ['ReportBatchItemFailures']
                    : Match.absent(),
                  DestinationConfig: {
                    OnFailure: {
                      Destination: inApp(
                        s,
                        resourceById(s.stacks.data.queues, src.onFailureQueueId).queueArn,
                      ),
                    },
                  },
                };
          s.appTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
            FunctionName: { Ref: logicalIdOf(fn.function) },
            ...expected,
          });
        }
        s.appTemplate.resourceCountIs('AWS::Lambda::EventSourceMapping', s.definitions.eventSources.length);
      }
    });

    it('lets a Kinesis consumer send to its on-failure queue', () => {
      const s = extended;
      const role = resourceById(s.stacks.app.functions, kinesisSource.functionId).role;
      const queueArn = inApp(
        s,
        resourceById(s.stacks.data.queues, kinesisSource.source.onFailureQueueId).queueArn,
      );
      const send = statementsOfRole(s.appTemplate, logicalIdOf(role)).filter(
        (st) =>
          asList(st.Action).includes('sqs:SendMessage') &&
          JSON.stringify(st.Resource) === JSON.stringify(queueArn),
      );
      expect(send.length).toBeGreaterThan(0);
    });
  });

  describe('bus rules', () => {
    it('creates each rule on the c360 bus with its pattern, targets and dead-letter queues', () => {
      for (const s of both()) {
        const { data, app } = s.stacks;
        for (const def of s.definitions.rules) {
          s.appTemplate.hasResourceProperties('AWS::Events::Rule', {
            Description: def.description,
            EventBusName: inApp(s, data.bus.eventBusName),
            EventPattern: def.eventPattern,
            Targets: def.targets.map((t) =>
              Match.objectLike({
                Arn:
                  t.type === 'queue'
                    ? inApp(s, resourceById(data.queues, t.queueId).queueArn)
                    : t.type === 'function'
                      ? app.resolve(resourceById(app.functions, t.functionId).function.functionArn)
                      : app.resolve(resourceById(app.stateMachines, t.stateMachineId).stateMachineArn),
                DeadLetterConfig: { Arn: inApp(s, resourceById(data.queues, t.deadLetterQueueId).queueArn) },
                ...(t.type === 'queue'
                  ? {}
                  : { RetryPolicy: { MaximumRetryAttempts: t.maximumRetryAttempts } }),
              }),
            ),
          });
        }
        s.appTemplate.resourceCountIs(
          'AWS::Events::Rule',
          s.definitions.rules.length + s.definitions.schedules.length,
        );
      }
    });

    it('creates each schedule on the default bus at its rate, invoking its function with retries and a DLQ', () => {
      for (const s of both()) {
        const { data, app } = s.stacks;
        for (const def of s.definitions.schedules) {
          const unit = def.every.value === 1 ? def.every.unit.replace(/s$/, '') : def.every.unit;
          s.appTemplate.hasResourceProperties('AWS::Events::Rule', {
            Description: def.description,
            ScheduleExpression: `rate(${def.every.value} ${unit})`,
            EventBusName: Match.absent(),
            Targets: [
              Match.objectLike({
                Arn: app.resolve(resourceById(app.functions, def.functionId).function.functionArn),
                RetryPolicy: { MaximumRetryAttempts: def.maximumRetryAttempts },
                DeadLetterConfig: {
                  Arn: inApp(s, resourceById(data.queues, def.deadLetterQueueId).queueArn),
                },
              }),
            ],
          });
        }
      }
    });
  });

  describe('user pool', () => {
    it('allows no self sign-up, requires TOTP MFA, a strong password and enforced threat protection', () => {
      current.appTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
        Policies: {
          PasswordPolicy: Match.objectLike({
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
      });
      const [pool] = Object.values(current.appTemplate.findResources('AWS::Cognito::UserPool')) as {
        Properties: { Policies: { PasswordPolicy: { MinimumLength: number } } };
      }[];
      expect(pool?.Properties.Policies.PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(12);
    });

    it('has one group per role', () => {
      current.appTemplate.resourceCountIs('AWS::Cognito::UserPoolGroup', ROLES.length);
      for (const role of ROLES) {
        current.appTemplate.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: role });
      }
    });

    it('has a public SRP client without secret and a client-credentials machine client', () => {
      const { config } = current;
      const { app } = current.stacks;
      expect(propertiesOf(current.appTemplate, logicalIdOf(app.webClient))).toMatchObject({
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AllowedOAuthFlowsUserPoolClient: false,
      });
      const machine = propertiesOf(current.appTemplate, logicalIdOf(app.machineClient));
      expect(machine).toMatchObject({ GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'] });
      expect((machine.AllowedOAuthScopes as unknown[]).length).toBe(config.machineClientRoles.length);
      current.appTemplate.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
        Scopes: ROLES.map((role) => Match.objectLike({ ScopeName: role })),
      });
    });
  });

  describe('HTTP API', () => {
    it('has one route per definition, with the JWT authorizer unless public', () => {
      for (const s of both()) {
        for (const route of s.definitions.routes) {
          s.appTemplate.hasResourceProperties('AWS::ApiGatewayV2::Route', {
            RouteKey: `${route.method} ${route.path}`,
            AuthorizationType: route.auth === 'public' ? 'NONE' : 'JWT',
            AuthorizerId: route.auth === 'public' ? Match.absent() : Match.anyValue(),
          });
        }
        s.appTemplate.resourceCountIs('AWS::ApiGatewayV2::Route', s.definitions.routes.length);
      }
    });

    it('validates JWTs issued by the user pool for both clients', () => {
      const { app } = extended.stacks;
      extended.appTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          Issuer: app.resolve(app.userPool.userPoolProviderUrl),
          Audience: [
            app.resolve(app.webClient.userPoolClientId),
            app.resolve(app.machineClient.userPoolClientId),
          ],
        },
      });
    });

    it('logs access as JSON and throttles the default stage per stage config', () => {
      const { config } = current;
      const stage = propertiesOf(current.appTemplate, logicalIdOf(current.stacks.app.apiStage)) as {
        DefaultRouteSettings: unknown;
        AccessLogSettings: { DestinationArn: unknown; Format: string };
      };
      expect(stage.DefaultRouteSettings).toEqual({
        ThrottlingBurstLimit: config.apiThrottle.burstLimit,
        ThrottlingRateLimit: config.apiThrottle.rateLimit,
      });
      expect(stage.AccessLogSettings.DestinationArn).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^ApiAccessLogs/), 'Arn'],
      });
      expect(JSON.parse(stage.AccessLogSettings.Format)).toMatchObject({ requestId: '$context.requestId' });
    });

    it('allows the stage config CORS origins', () => {
      current.appTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        CorsConfiguration: Match.objectLike({ AllowOrigins: [...current.config.corsAllowedOrigins] }),
      });
    });

    it('outputs the API URL, user pool id and client ids', () => {
      for (const id of ['ApiUrl', 'UserPoolId', 'WebClientId', 'MachineClientId']) {
        current.appTemplate.hasOutput(id, {});
      }
    });
  });
});
