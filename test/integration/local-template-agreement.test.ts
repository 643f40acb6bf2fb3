import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resources } from '../../infra/definitions/resources.definition.ts';
import { LOCAL_STAGE } from '../../infra/local/local-paths.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { logicalIdOf, type SynthesizedC360, synthC360 } from '../infra/c360-app.fixture.ts';

type Cfn = { Type: string; Properties: Record<string, unknown> };
type GetAtt = { 'Fn::GetAtt': [string, string] };
type Ref = { Ref: string };

/**
 * One definition per resource, proven: the resources the local stack creates on the stand-ins (read back
 * through the AWS APIs) and the mappings, rules and routes it runs equal what the synthesized CloudFormation
 * template declares.
 */
describe('Infra: local stack agrees with the synthesized template', () => {
  let stack: LocalStack;
  let synth: SynthesizedC360;
  let data: Record<string, Cfn>;
  let app: Record<string, Cfn>;

  beforeAll(async () => {
    synth = synthC360('dev');
    data = synth.dataTemplate.toJSON().Resources as Record<string, Cfn>;
    app = synth.appTemplate.toJSON().Resources as Record<string, Cfn>;
    stack = await startLocalStack({ port: 0 });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const props = (resources: Record<string, Cfn>, logicalId: string) => {
    const r = resources[logicalId];
    if (!r) throw new Error(`no ${logicalId} in template`);
    return r.Properties;
  };
  const byName = <T extends { AttributeName?: string; IndexName?: string }>(xs: readonly T[] | undefined) =>
    [...(xs ?? [])].sort((a, b) =>
      (a.AttributeName ?? a.IndexName ?? '').localeCompare(b.AttributeName ?? b.IndexName ?? ''),
    );

  it('has the same table: keys, indexes, TTL attribute, stream and billing', async () => {
    const local = (
      await stack.clients.dynamodb.send(new DescribeTableCommand({ TableName: stack.names.table }))
    ).Table;
    const ttl = await stack.clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: stack.names.table }),
    );
    const cfn = props(data, logicalIdOf(synth.stacks.data.table)) as {
      KeySchema: unknown[];
      AttributeDefinitions: { AttributeName: string }[];
      GlobalSecondaryIndexes: {
        IndexName: string;
        KeySchema: unknown[];
        Projection: { ProjectionType: string };
      }[];
      StreamSpecification: { StreamViewType: string };
      BillingMode: string;
      TimeToLiveSpecification: { AttributeName: string; Enabled: boolean };
    };
    expect(local?.KeySchema).toEqual(cfn.KeySchema);
    expect(byName(local?.AttributeDefinitions)).toEqual(byName(cfn.AttributeDefinitions));
    expect(
      byName(local?.GlobalSecondaryIndexes).map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: { ProjectionType: g.Projection?.ProjectionType },
      })),
    ).toEqual(
      byName(cfn.GlobalSecondaryIndexes).map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: { ProjectionType: g.Projection.ProjectionType },
      })),
    );
    expect(local?.StreamSpecification?.StreamViewType).toBe(cfn.StreamSpecification.StreamViewType);
    expect(local?.BillingModeSummary?.BillingMode).toBe(cfn.BillingMode);
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe(cfn.TimeToLiveSpecification.AttributeName);
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
  });

  it('has the same streams with the same retention', async () => {
    for (const def of resources.streams) {
      const kinesis = synth.stacks.data.streams.get(def.id);
      if (!kinesis) throw new Error(`no stream ${def.id} in the data stack`);
      const cfn = props(data, logicalIdOf(kinesis)) as { RetentionPeriodHours?: number };
      const local = await stack.clients.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: stack.names.stream(def.id) }),
      );
      expect(local.StreamDescriptionSummary?.RetentionPeriodHours).toBe(cfn.RetentionPeriodHours ?? 24);
    }
  });

  it('has the same queues: visibility, retention and redrive to the same dead-letter queue', async () => {
    const idByLogicalId = new Map([...synth.stacks.data.queues].map(([id, q]) => [logicalIdOf(q), id]));
    const idByLocalArn = new Map<string, string>();
    for (const def of resources.queues) {
      const a = await stack.clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: stack.names.queueUrl(def.id),
          AttributeNames: ['QueueArn'],
        }),
      );
      idByLocalArn.set(a.Attributes?.QueueArn ?? '', def.id);
    }
    expect([...idByLogicalId.values()].sort()).toEqual(resources.queues.map((q) => q.id).sort());
    for (const [logicalId, id] of idByLogicalId) {
      const cfn = props(data, logicalId) as {
        VisibilityTimeout?: number;
        MessageRetentionPeriod?: number;
        RedrivePolicy?: { deadLetterTargetArn: GetAtt; maxReceiveCount: number };
      };
      const local = (
        await stack.clients.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: stack.names.queueUrl(id), AttributeNames: ['All'] }),
        )
      ).Attributes;
      expect(Number(local?.VisibilityTimeout)).toBe(cfn.VisibilityTimeout ?? 30);
      expect(Number(local?.MessageRetentionPeriod)).toBe(cfn.MessageRetentionPeriod ?? 345_600);
      const localRedrive = local?.RedrivePolicy
        ? (JSON.parse(local.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number })
        : undefined;
      expect(
        localRedrive && {
          dlq: idByLocalArn.get(localRedrive.deadLetterTargetArn),
          max: Number(localRedrive.maxReceiveCount),
        },
      ).toEqual(
        cfn.RedrivePolicy && {
          dlq: idByLogicalId.get(cfn.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0]),
          max: cfn.RedrivePolicy.maxReceiveCount,
        },
      );
    }
  });

  it('has a bucket for every bucket in the data stack (besides its access-log bucket)', async () => {
    const local = (await stack.clients.s3.send(new ListBucketsCommand({}))).Buckets?.map(
      (b) => b.Name,
    ).sort();
    expect([...synth.stacks.data.buckets.keys()].map((id) => stack.names.bucket(id)).sort()).toEqual(local);
  });

  it('runs the same functions with the same timeout, memory and environment variables', () => {
    const localOnly = /^(AWS_|C360_LOCAL_)/;
    expect([...stack.functions.keys()].sort()).toEqual([...synth.stacks.app.functions.keys()].sort());
    for (const [id, fn] of synth.stacks.app.functions) {
      const cfn = props(app, logicalIdOf(fn.function)) as {
        Timeout: number;
        MemorySize: number;
        Environment: { Variables: Record<string, unknown> };
      };
      const local = stack.functions.get(id)?.config;
      expect({ timeout: local?.timeoutSeconds, memory: local?.memoryMb }).toEqual({
        timeout: cfn.Timeout,
        memory: cfn.MemorySize,
      });
      expect(
        Object.keys(local?.environment ?? {})
          .filter((k) => !localOnly.test(k))
          .sort(),
      ).toEqual(
        Object.keys(cfn.Environment.Variables)
          .filter((k) => !localOnly.test(k))
          .sort(),
      );
    }
  });

  it('runs the same event-source mappings with the same batching, retries and failure handling', () => {
    const functionIdByLogicalId = new Map(
      [...synth.stacks.app.functions].map(([id, f]) => [logicalIdOf(f.function), id]),
    );
    type Mapping = {
      fn: string;
      batchSize: number;
      window: number;
      reportBatchItemFailures: boolean;
      bisect: boolean | undefined;
      retries: number | undefined;
      startingPosition: string | undefined;
      maxConcurrency: number | undefined;
    };
    const cfnMappings: Mapping[] = Object.values(app)
      .filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping')
      .map(
        (r) =>
          r.Properties as {
            FunctionName: Ref;
            BatchSize: number;
            MaximumBatchingWindowInSeconds?: number;
            FunctionResponseTypes?: string[];
            BisectBatchOnFunctionError?: boolean;
            MaximumRetryAttempts?: number;
            StartingPosition?: string;
            ScalingConfig?: { MaximumConcurrency: number };
          },
      )
      .map((p) => ({
        fn: `c360-${LOCAL_STAGE}-${functionIdByLogicalId.get(p.FunctionName.Ref)}`,
        batchSize: p.BatchSize,
        window: p.MaximumBatchingWindowInSeconds ?? 0,
        reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
        bisect: p.BisectBatchOnFunctionError,
        retries: p.MaximumRetryAttempts,
        startingPosition: p.StartingPosition,
        maxConcurrency: p.ScalingConfig?.MaximumConcurrency,
      }));
    const localMappings: Mapping[] = [
      ...[...stack.sqsSources.values()].map(({ mapping: m }) => ({
        fn: m.functionName,
        batchSize: m.source.batchSize,
        window: m.source.maxBatchingWindowSeconds,
        reportBatchItemFailures: m.source.reportBatchItemFailures,
        bisect: undefined,
        retries: undefined,
        startingPosition: undefined,
        maxConcurrency: m.source.maxConcurrency,
      })),
      ...[...stack.streamSources.values()].map(({ mapping: m }) => ({
        fn: m.functionName,
        batchSize: m.settings.batchSize,
        window: m.settings.maxBatchingWindowSeconds,
        reportBatchItemFailures: m.settings.reportBatchItemFailures,
        bisect: m.settings.bisectBatchOnError,
        retries: m.settings.maximumRetryAttempts,
        startingPosition: m.settings.startingPosition,
        maxConcurrency: undefined,
      })),
    ];
    const order = (xs: typeof localMappings) => [...xs].sort((a, b) => a.fn.localeCompare(b.fn));
    expect(order(localMappings)).toEqual(order(cfnMappings));
  });

  it('routes the same events to the same targets and dead-letter queues', () => {
    const queueIdByLogicalId = new Map([...synth.stacks.data.queues].map(([id, q]) => [logicalIdOf(q), id]));
    const stateMachineIdByLogicalId = new Map(
      [...synth.stacks.app.stateMachines].map(([id, m]) => [logicalIdOf(m), id]),
    );
    const stateMachineIdOf = (arn: unknown): string | undefined =>
      stateMachineIdByLogicalId.get((arn as { Ref?: string }).Ref ?? '');
    // Queue targets cross the stack boundary as imports named after the data stack's logical ids.
    const queueIdOf = (arn: unknown): string | undefined => {
      const name = (arn as { 'Fn::ImportValue'?: string })['Fn::ImportValue'] ?? '';
      return [...queueIdByLogicalId].find(([logicalId]) => name.includes(`GetAtt${logicalId}Arn`))?.[1];
    };
    const cfnRules = Object.values(app)
      .filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern !== undefined)
      .map(
        (r) =>
          r.Properties as {
            EventPattern: unknown;
            Targets: { Arn: unknown; DeadLetterConfig?: { Arn: unknown } }[];
          },
      )
      .map((p) => ({
        pattern: p.EventPattern,
        targets: p.Targets.map((t) => ({
          queue: queueIdOf(t.Arn),
          stateMachine: stateMachineIdOf(t.Arn),
          dlq: queueIdOf(t.DeadLetterConfig?.Arn),
        })),
      }));
    const localRules = stack.bus.rules.map((r) => ({
      pattern: r.eventPattern,
      targets: r.targets.map((t) => ({
        queue: t.type === 'queue' ? t.queueId : undefined,
        stateMachine: t.type === 'stateMachine' ? t.stateMachineId : undefined,
        dlq: t.deadLetterQueueId,
      })),
    }));
    expect(localRules).toEqual(cfnRules);
  });

  it('interprets the very ASL the template deploys, with the same functions behind its tasks', () => {
    const functionIdByLogicalId = new Map(
      [...synth.stacks.app.functions].map(([id, f]) => [logicalIdOf(f.function), id]),
    );
    const cfnMachines = Object.entries(app)
      .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
      .map(([logicalId, r]) => {
        const p = r.Properties as {
          DefinitionString: string;
          DefinitionSubstitutions: Record<string, GetAtt>;
        };
        // `${Placeholder}` → the function CloudFormation substitutes there.
        const definition = p.DefinitionString.replace(/\$\{(\w+)\}/g, (_, name: string) => {
          const logical = p.DefinitionSubstitutions[name]?.['Fn::GetAtt'][0] ?? '';
          return `function:${functionIdByLogicalId.get(logical)}`;
        });
        const id = [...synth.stacks.app.stateMachines].find(([, m]) => logicalIdOf(m) === logicalId)?.[0];
        return { id, definition: JSON.parse(definition) as unknown };
      });
    const localMachines = [...stack.stateMachines].map(([id, m]) => ({
      id,
      definition: JSON.parse(
        JSON.stringify(m.definitionJson).replace(
          /arn:aws:lambda:[^"]*:function:c360-local-(\w+)/g,
          'function:$1',
        ),
      ) as unknown,
    }));
    expect(localMachines).toEqual(cfnMachines);
    expect(localMachines.length).toBeGreaterThan(0);
  });

  it('runs the same schedules at the same rates', () => {
    const cfnSchedules = Object.values(app)
      .filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.ScheduleExpression !== undefined)
      .map((r) => String(r.Properties.ScheduleExpression))
      .sort();
    const localSchedules = stack.definitions.schedules
      .map(
        (x) =>
          `rate(${x.every.value} ${x.every.value === 1 ? x.every.unit.replace(/s$/, '') : x.every.unit})`,
      )
      .sort();
    expect(localSchedules).toEqual(cfnSchedules);
    expect(localSchedules.length).toBeGreaterThan(0);
  });

  it('serves the same routes with the same authorization', () => {
    const cfnRoutes = Object.values(app)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties as { RouteKey: string; AuthorizationType?: string })
      .map((p) => ({ key: p.RouteKey, jwt: p.AuthorizationType === 'JWT' }))
      .sort((a, b) => a.key.localeCompare(b.key));
    const localRoutes = stack.api.routes
      .map((r) => ({ key: `${r.method} ${r.path}`, jwt: r.auth !== 'public' }))
      .sort((a, b) => a.key.localeCompare(b.key));
    expect(localRoutes).toEqual(cfnRoutes);
  });
});
