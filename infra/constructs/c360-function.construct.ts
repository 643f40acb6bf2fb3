import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/stage.config.ts';
import {
  bindingEnvironment,
  commonEnvironment,
  RESOURCE_SUMMARY_ENV,
  type ResourceNames,
  resourceSummary,
} from '../definitions/function-environment.ts';
import type {
  Access,
  BucketAccess,
  FunctionDefinition,
  ResourceDefinitions,
} from '../definitions/resource.types.ts';
import { type DataResources, resourceById } from '../stacks/data.stack.ts';

/** The repository root: entries, the lock file and the esbuild project root are resolved from it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ESM bundles have no `require`; some CJS dependencies call it for Node built-ins.
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __c360CreateRequire } from 'node:module'; const require = __c360CreateRequire(import.meta.url);";

const reads = (access: BucketAccess): boolean =>
  access === 'read' || access === 'readWrite' || access === 'readWriteDelete';
const writes = (access: BucketAccess): boolean =>
  access === 'write' || access === 'readWrite' || access === 'readWriteDelete';

export type C360FunctionProps = {
  readonly definition: FunctionDefinition;
  readonly definitions: ResourceDefinitions;
  readonly data: DataResources;
  readonly config: StageConfig;
};

/**
 * The one way c360 deploys a function: Node.js 22 on ARM64, active tracing, an explicit log group with the
 * stage's retention, an ESM bundle built by the local esbuild, and an execution role that holds exactly what
 * the definition's bindings ask for. Each binding yields its environment variable (named by
 * `bindingEnvironment`, the same function the local stack uses) and its IAM statements from the same entry.
 */
export class C360Function extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  private readonly data: DataResources;
  private readonly definitions: ResourceDefinitions;

  constructor(scope: Construct, id: string, props: C360FunctionProps) {
    super(scope, id);
    const { definition: def, definitions, data, config } = props;
    this.data = data;
    this.definitions = definitions;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });

    // An own role instead of the AWSLambdaBasicExecutionRole managed policy: logs go to this log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the c360 ${def.id} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${REPO_ROOT}${def.entry}`,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      description: def.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: def.memoryMb,
      timeout: Duration.seconds(def.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: this.environment(def, config),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: config.bundling.minify,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        banner: CREATE_REQUIRE_BANNER,
        // Bundle the pinned SDK versions instead of whatever the runtime ships.
        externalModules: [],
        forceDockerBundling: false,
      },
    });

    this.grantBindings(def);

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level scoping',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is pinned on purpose: the ESM bundle targets node22 and the code is tested on that major',
    });
  }

  private names(): ResourceNames {
    const { data } = this;
    return {
      table: data.table.tableName,
      bus: data.bus.eventBusName,
      blindIndexKey: data.blindIndexKey.keyArn,
      piiKey: data.piiKey.keyArn,
      stream: (id) => resourceById(data.streams, id).streamName,
      queueUrl: (id) => resourceById(data.queues, id).queueUrl,
      bucket: (id) => resourceById(data.buckets, id).bucketName,
    };
  }

  private environment(def: FunctionDefinition, config: StageConfig): Record<string, string> {
    const names = this.names();
    return {
      ...commonEnvironment(config.stage),
      ...def.environment,
      ...bindingEnvironment(this.definitions, def, names),
      ...(def.exposesResourceSummary
        ? { [RESOURCE_SUMMARY_ENV]: Stack.of(this).toJsonString(resourceSummary(this.definitions, names)) }
        : {}),
    };
  }

  /** One grant per binding; the binding's environment variable was set from the same definition entry. */
  private grantBindings(def: FunctionDefinition): void {
    const b = def.bindings;
    if (b.table) this.grantTable(b.table);
    if (b.bus) this.grantBus();
    if (b.blindIndex) this.allow(['kms:GenerateMac'], [this.data.blindIndexKey.keyArn]);
    if (b.piiVault) this.allowPiiKey();
    for (const [id, access] of Object.entries(b.streams ?? {})) this.grantStream(id, access);
    for (const [id, access] of Object.entries(b.queues ?? {})) this.grantQueueAccess(id, access);
    for (const [id, access] of Object.entries(b.buckets ?? {})) this.grantBucket(id, access);
  }

  /** Wrap and unwrap per-customer keys only: the encryption context must name that purpose. */
  private allowPiiKey(): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.data.piiKey.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': 'c360-customer-key' } },
      }),
    );
  }

  private allow(actions: string[], resources: string[]): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
  }

  /** The shared key, usable only through the service that holds the bound resource. */
  private allowKey(actions: string[], service: 'dynamodb' | 'kinesis' | 'sqs' | 's3'): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions,
        resources: [this.data.key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `${service}.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }

  private grantTable(access: Access): void {
    const { table } = this.data;
    // Indexes by name from the table definition: a read binding never gets `index/*`.
    const indexArns = this.definitions.table.globalSecondaryIndexes.map(
      (gsi) => `${table.tableArn}/index/${gsi.indexName}`,
    );
    if (reads(access)) {
      this.allow(
        ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
        [table.tableArn, ...indexArns],
      );
      this.allowKey(['kms:Decrypt', 'kms:DescribeKey'], 'dynamodb');
    }
    if (writes(access)) {
      this.allow(
        [
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:ConditionCheckItem',
        ],
        [table.tableArn],
      );
      this.allowKey(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], 'dynamodb');
    }
  }

  private grantStream(id: string, access: 'read' | 'write'): void {
    const stream = resourceById(this.data.streams, id);
    if (access === 'read') {
      this.allow(
        [
          'kinesis:DescribeStream',
          'kinesis:DescribeStreamSummary',
          'kinesis:GetRecords',
          'kinesis:GetShardIterator',
          'kinesis:ListShards',
          'kinesis:SubscribeToShard',
        ],
        [stream.streamArn],
      );
      this.allowKey(['kms:Decrypt'], 'kinesis');
    } else {
      this.allow(['kinesis:PutRecord', 'kinesis:PutRecords'], [stream.streamArn]);
      this.allowKey(['kms:GenerateDataKey'], 'kinesis');
    }
  }

  /** Queue access outside the bindings, e.g. a Kinesis event source's on-failure destination. */
  grantQueueAccess(id: string, access: 'send' | 'consume' | 'sendAndConsume'): void {
    if (access === 'sendAndConsume') {
      this.grantQueueAccess(id, 'send');
      this.grantQueueAccess(id, 'consume');
      return;
    }
    const queue = resourceById(this.data.queues, id);
    if (access === 'send') {
      this.allow(['sqs:SendMessage'], [queue.queueArn]);
      this.allowKey(['kms:GenerateDataKey', 'kms:Decrypt'], 'sqs');
    } else {
      this.allow(
        ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        [queue.queueArn],
      );
      this.allowKey(['kms:Decrypt'], 'sqs');
    }
  }

  private grantBucket(id: string, access: BucketAccess): void {
    const bucket = resourceById(this.data.buckets, id);
    const objectsArn = `${stableArn(this, bucket.stack, bucket.bucketArn)}/*`;
    if (reads(access)) {
      this.allow(['s3:ListBucket'], [bucket.bucketArn]);
      this.allow(['s3:GetObject'], [objectsArn]);
      this.allowKey(['kms:Decrypt'], 's3');
    }
    if (writes(access)) {
      this.allow(['s3:PutObject', 's3:AbortMultipartUpload'], [objectsArn]);
      // Decrypt too: multipart uploads read back their encrypted parts.
      this.allowKey(['kms:GenerateDataKey', 'kms:Decrypt'], 's3');
    }
    // The current version only: noncurrent ones expire by the bucket's lifecycle rule.
    if (access === 'readWriteDelete') this.allow(['s3:DeleteObject'], [objectsArn]);
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(this).resolve(objectsArn))}]`,
      reason: `Object-level access to the ${id} bucket: object keys are data-dependent (date partitions), the bucket is fixed`,
    });
  }

  private grantBus(): void {
    this.allow(['events:PutEvents'], [this.data.bus.eventBusArn]);
  }
}

/**
 * A value from another stack as an explicit `Fn::ImportValue` (CDK reuses the export it would create anyway).
 * Unlike an implicit cross-stack reference, it renders the same at construction time as in the template, so a
 * cdk-nag finding that contains it can be acknowledged precisely.
 */
const stableArn = (scope: Construct, producer: Stack, value: string): string =>
  Stack.of(scope) === producer ? value : producer.exportValue(value);
