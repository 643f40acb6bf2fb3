import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Aws,
  CfnOutput,
  CrossStackReferences,
  Duration,
  ReferenceStrength,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  DynamoEventSource,
  KinesisEventSource,
  SqsDlq,
  SqsEventSource,
} from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stage.config.ts';
import { ApiEdgeProtection } from '../constructs/api-edge-protection.construct.ts';
import { C360Function, REPO_ROOT } from '../constructs/c360-function.construct.ts';
import { httpApiCors, routeKeyOf, routeThrottle } from '../definitions/http-api.definition.ts';
import type {
  EventSourceDefinition,
  ResourceDefinitions,
  RouteDefinition,
  RuleDefinition,
  ScheduleDefinition,
  StateMachineDefinition,
} from '../definitions/resource.types.ts';
import { ROLES } from '../definitions/routes.definition.ts';
import { type DataResources, resourceById } from './data.stack.ts';

export type AppStackProps = StackProps & {
  readonly data: DataResources;
  readonly config: StageConfig;
  readonly definitions: ResourceDefinitions;
};

/** Identifier of the API's OAuth resource server; scopes are `c360-api/<role>`. */
const RESOURCE_SERVER_ID = 'c360-api';

/** JSON access-log line: structured for Logs Insights, no tokens or bodies. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

/**
 * Stateless stack: functions, their event sources, bus rules, the user pool and the HTTP API. Everything is
 * derived from `infra/definitions`; the stateful resources arrive as props from the data stack.
 */
export class AppStack extends Stack {
  readonly functions: ReadonlyMap<string, C360Function>;
  readonly stateMachines: ReadonlyMap<string, sfn.StateMachine>;
  readonly userPool: cognito.UserPool;
  readonly webClient: cognito.UserPoolClient;
  readonly machineClient: cognito.UserPoolClient;
  readonly api: apigwv2.HttpApi;
  readonly apiStage: apigwv2.HttpStage;

  private readonly data: DataResources;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    // Strong references (Fn::ImportValue): the data stack cannot lose a resource while this stack uses it.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { data, config, definitions } = props;
    this.data = data;

    this.functions = new Map(
      definitions.functions.map((definition) => [
        definition.id,
        new C360Function(this, definition.id, { definition, definitions, data, config }),
      ]),
    );
    for (const source of definitions.eventSources) this.addEventSource(source);
    this.stateMachines = new Map(
      definitions.stateMachines.map((definition) => [
        definition.id,
        this.createStateMachine(definition, config),
      ]),
    );
    for (const rule of definitions.rules) this.addRule(rule);
    for (const schedule of definitions.schedules) this.addSchedule(schedule);

    this.userPool = this.createUserPool(config);
    const resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER_ID,
      scopes: ROLES.map(
        (role) => new cognito.ResourceServerScope({ scopeName: role, scopeDescription: `Act as ${role}` }),
      ),
    });
    this.webClient = this.userPool.addClient('WebClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    this.machineClient = this.userPool.addClient('MachineClient', {
      generateSecret: true,
      oAuth: {
        flows: { clientCredentials: true },
        scopes: config.machineClientRoles.map((role) =>
          cognito.OAuthScope.resourceServer(
            resourceServer,
            new cognito.ResourceServerScope({ scopeName: role, scopeDescription: `Act as ${role}` }),
          ),
        ),
      },
      accessTokenValidity: Duration.hours(1),
    });
    // The token endpoint for client credentials; prefix unique per account and stage, no hard-coded name.
    const domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: `c360-${config.stage}-${Aws.ACCOUNT_ID}` },
    });

    const { api, stage } = this.createHttpApi(config, definitions.routes);
    this.api = api;
    this.apiStage = stage;
    if (config.waf) {
      const edge = new ApiEdgeProtection(this, 'ApiEdge', {
        api,
        userPool: this.userPool,
        stage: config.stage,
        waf: config.waf,
      });
      new CfnOutput(this, 'ApiEdgeUrl', {
        value: `https://${edge.distribution.distributionDomainName}/`,
        description: 'Base URL of the c360 HTTP API behind CloudFront and AWS WAF',
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the c360 HTTP API' });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'WebClientId', { value: this.webClient.userPoolClientId });
    new CfnOutput(this, 'MachineClientId', { value: this.machineClient.userPoolClientId });
    new CfnOutput(this, 'TokenEndpoint', { value: `${domain.baseUrl()}/oauth2/token` });
  }

  private fn(id: string): C360Function {
    return resourceById(this.functions, id);
  }

  private addEventSource(def: EventSourceDefinition): void {
    const target = this.fn(def.functionId);
    const src = def.source;
    if (src.type === 'sqs') {
      target.function.addEventSource(
        new SqsEventSource(resourceById(this.data.queues, src.queueId), {
          batchSize: src.batchSize,
          maxBatchingWindow: Duration.seconds(src.maxBatchingWindowSeconds),
          reportBatchItemFailures: src.reportBatchItemFailures,
          maxConcurrency: src.maxConcurrency,
        }),
      );
      return;
    }
    // The role's send permission (and its key use) comes from the construct like every other grant; the
    // imported reference keeps SqsDlq from adding a second, wildcard KMS grant of its own.
    target.grantQueueAccess(src.onFailureQueueId, 'send');
    const onFailureQueue = resourceById(this.data.queues, src.onFailureQueueId);
    const settings = {
      startingPosition: lambda.StartingPosition[src.startingPosition],
      batchSize: src.batchSize,
      maxBatchingWindow: Duration.seconds(src.maxBatchingWindowSeconds),
      bisectBatchOnError: src.bisectBatchOnError,
      // -1 means "until the record expires" in the definitions, as in the Lambda API; CDK spells it undefined.
      ...(src.maximumRetryAttempts >= 0 ? { retryAttempts: src.maximumRetryAttempts } : {}),
      ...(src.maximumRecordAgeSeconds >= 0
        ? { maxRecordAge: Duration.seconds(src.maximumRecordAgeSeconds) }
        : {}),
      parallelizationFactor: src.parallelizationFactor,
      reportBatchItemFailures: src.reportBatchItemFailures,
      onFailure: new SqsDlq(sqs.Queue.fromQueueArn(this, `${def.id}OnFailure`, onFailureQueue.queueArn)),
      ...(src.filters?.length
        ? { filters: src.filters.map((p) => lambda.FilterCriteria.filter(p as Record<string, unknown>)) }
        : {}),
    };
    target.function.addEventSource(
      src.type === 'kinesis'
        ? new KinesisEventSource(resourceById(this.data.streams, src.streamId), settings)
        : new DynamoEventSource(this.data.table, settings),
    );
  }

  /**
   * Queues are passed to targets as imported references: the data stack already lets rules on its bus
   * send to them and use their key. The L2 targets would otherwise write queue policies naming this stack's
   * rule ARNs into the data stack, a dependency cycle.
   */
  private importedQueue(ruleId: string, queueId: string): sqs.IQueue {
    const id = `${ruleId}${queueId}Ref`;
    const existing = this.node.tryFindChild(id) as sqs.IQueue | undefined;
    return existing ?? sqs.Queue.fromQueueArn(this, id, resourceById(this.data.queues, queueId).queueArn);
  }

  private addRule(def: RuleDefinition): void {
    const rule = new events.Rule(this, def.id, {
      eventBus: this.data.bus,
      description: def.description,
      // Definitions hold EventBridge's own JSON pattern; CDK passes keys through (it only renames detailType).
      eventPattern: def.eventPattern as events.EventPattern,
    });
    Validations.of(rule).acknowledge({
      id: 'Annotation::@aws-cdk/aws-events:ruleUnresolvedEnvironment',
      reason:
        'Rule, bus and targets are always deployed to the same account and region (stage env); not cross-environment',
    });
    for (const t of def.targets) {
      const deadLetterQueue = this.importedQueue(def.id, t.deadLetterQueueId);
      rule.addTarget(
        t.type === 'queue'
          ? new targets.SqsQueue(this.importedQueue(def.id, t.queueId), { deadLetterQueue })
          : t.type === 'function'
            ? new targets.LambdaFunction(this.fn(t.functionId).function, {
                retryAttempts: t.maximumRetryAttempts,
                deadLetterQueue,
              })
            : new targets.SfnStateMachine(resourceById(this.stateMachines, t.stateMachineId), {
                retryAttempts: t.maximumRetryAttempts,
                deadLetterQueue,
              }),
      );
    }
  }

  /**
   * A Standard workflow from its ASL file (the one the local stack interprets), with each `${Placeholder}`
   * substituted by its function's ARN; every state logged (without execution data: it can hold personal
   * data) and traced.
   */
  private createStateMachine(def: StateMachineDefinition, config: StageConfig): sfn.StateMachine {
    const logGroup = new logs.LogGroup(this, `${def.id}Logs`, {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    const machine = new sfn.StateMachine(this, def.id, {
      comment: def.description,
      // Inline (not an S3 asset), so the template shows the very ASL the local stack interprets.
      definitionBody: sfn.DefinitionBody.fromString(
        readFileSync(join(REPO_ROOT, def.definitionFile), 'utf8'),
      ),
      definitionSubstitutions: Object.fromEntries(
        Object.entries(def.functions).map(([placeholder, id]) => [
          placeholder,
          this.fn(id).function.functionArn,
        ]),
      ),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.minutes(def.timeoutMinutes),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    for (const id of new Set(Object.values(def.functions))) {
      const fn = this.fn(id).function;
      fn.grantInvoke(machine);
      Validations.of(machine.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(this.resolve(fn.functionArn))}:*]`,
        reason: `lambda:InvokeFunction on ${id}'s versions and aliases (\`<ARN>:*\`, as CDK grants it): that one function only`,
      });
    }
    Validations.of(machine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets support no resource-level scoping',
    });
    return machine;
  }

  /** A scheduled rule on the account's default bus (schedules cannot live on a custom bus). */
  private addSchedule(def: ScheduleDefinition): void {
    const every = {
      minutes: Duration.minutes,
      hours: Duration.hours,
      days: Duration.days,
    }[def.every.unit](def.every.value);
    const rule = new events.Rule(this, def.id, {
      description: def.description,
      schedule: events.Schedule.rate(every),
    });
    rule.addTarget(
      new targets.LambdaFunction(this.fn(def.functionId).function, {
        retryAttempts: def.maximumRetryAttempts,
        deadLetterQueue: this.importedQueue(def.id, def.deadLetterQueueId),
      }),
    );
  }

  private createUserPool(config: StageConfig): cognito.UserPool {
    const userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: config.userPoolDeletionProtection,
      removalPolicy: config.removalPolicy,
    });
    // Group names are the roles routes check in `cognito:groups`.
    for (const role of ROLES) {
      userPool.addGroup(`Group${role}`, { groupName: role, description: `c360 ${role} users` });
    }
    return userPool;
  }

  private createHttpApi(
    config: StageConfig,
    routes: readonly RouteDefinition[],
  ): { api: apigwv2.HttpApi; stage: apigwv2.HttpStage } {
    const api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: this.stackName,
      description: `c360 ${config.stage} API`,
      createDefaultStage: false,
      corsPreflight:
        config.corsAllowedOrigins.length === 0
          ? undefined
          : {
              allowOrigins: [...config.corsAllowedOrigins],
              allowMethods: httpApiCors.allowMethods.map((m) => apigwv2.CorsHttpMethod[m]),
              allowHeaders: [...httpApiCors.allowHeaders],
              exposeHeaders: [...httpApiCors.exposeHeaders],
              maxAge: Duration.seconds(httpApiCors.maxAgeSeconds),
            },
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    const stage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: config.apiThrottle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });

    // Tokens of both clients are accepted; group checks against `cognito:groups` happen in the handlers.
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', this.userPool.userPoolProviderUrl, {
      jwtAudience: [this.webClient.userPoolClientId, this.machineClient.userPoolClientId],
    });
    // Per-route throttling: stage route settings keyed by route key (raw CloudFormation JSON, hence the
    // PascalCase); a stage naming a route that does not exist yet fails, so it deploys after its routes.
    const stageResource = stage.node.defaultChild as apigwv2.CfnStage;
    stageResource.routeSettings = Object.fromEntries(
      routes.map((route) => {
        const throttle = routeThrottle(route, config.apiThrottle);
        return [
          routeKeyOf(route),
          { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit },
        ];
      }),
    );
    for (const route of routes) {
      const isPublic = route.auth === 'public';
      const [created] = api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, this.fn(route.functionId).function),
        authorizer: isPublic ? new apigwv2.HttpNoneAuthorizer() : authorizer,
      });
      if (created) stageResource.node.addDependency(created);
      if (isPublic && created) {
        for (const id of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
          Validations.of(created).acknowledge({
            id,
            reason: `${route.method} ${route.path} is declared public in routes.definition.ts (route ${route.id})`,
          });
        }
      }
    }
    return { api, stage };
  }
}
