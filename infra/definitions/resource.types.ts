/**
 * The shapes of c360's resource definitions. Each resource is described once, as plain data, and read by both
 * the CDK stacks (`infra/stacks`) and the local stack (`infra/local`); `test/infra` proves the two agree.
 */

export type AttributeType = 'S' | 'N' | 'B';
export type KeyAttribute = { readonly name: string; readonly type: AttributeType };

export type GlobalSecondaryIndexDefinition = {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** Projection type; c360 projects everything so a lookup never needs a second read. */
  readonly projection: 'ALL' | 'KEYS_ONLY';
};

export type TableDefinition = {
  readonly id: string;
  /** Environment variable through which a bound function learns the table name. */
  readonly envVar: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly GlobalSecondaryIndexDefinition[];
  readonly timeToLiveAttribute: string;
  readonly streamView: 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'KEYS_ONLY';
};

export type StreamDefinition = {
  readonly id: string;
  readonly envVar: string;
  readonly retentionHours: number;
  /** Shards locally; in AWS the stream is on-demand and scales by itself. */
  readonly localShardCount: number;
};

export type QueueDefinition = {
  readonly id: string;
  readonly envVar: string;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionDays: number;
  /** Messages received this many times move to the dead-letter queue. */
  readonly deadLetter?: { readonly queueId: string; readonly maxReceiveCount: number };
};

export type BucketDefinition = {
  readonly id: string;
  readonly envVar: string;
  /** Objects expire after this many days; noncurrent versions after `noncurrentExpirationDays`. */
  readonly expirationDays?: number;
  readonly noncurrentExpirationDays: number;
  /** Days after which objects move to infrequent-access storage. */
  readonly infrequentAccessAfterDays?: number;
  /** Write-once objects: Object Lock with the stage's default retention, where the stage enables it. */
  readonly objectLock?: boolean;
};

export type BusDefinition = {
  readonly id: string;
  readonly envVar: string;
  /** The source every c360 domain event carries. */
  readonly source: string;
  readonly archiveRetentionDays: number;
};

export type RuleTarget =
  | {
      readonly type: 'function';
      readonly functionId: string;
      readonly maximumRetryAttempts: number;
      readonly deadLetterQueueId: string;
    }
  | { readonly type: 'queue'; readonly queueId: string; readonly deadLetterQueueId: string }
  | {
      /** Starts an execution with the event as its input (asynchronous: delivered once it has started). */
      readonly type: 'stateMachine';
      readonly stateMachineId: string;
      readonly maximumRetryAttempts: number;
      readonly deadLetterQueueId: string;
    };

export type RuleDefinition = {
  readonly id: string;
  readonly description: string;
  readonly eventPattern: Readonly<Record<string, unknown>>;
  readonly targets: readonly RuleTarget[];
};

/**
 * A function run on a timer (an EventBridge schedule in AWS; the local stack runs it on demand, or at the
 * same rate when started with schedules on).
 */
export type ScheduleDefinition = {
  readonly id: string;
  readonly description: string;
  readonly functionId: string;
  readonly every: { readonly value: number; readonly unit: 'minutes' | 'hours' | 'days' };
  /** Invocation retries by EventBridge; then the event goes to the dead-letter queue. */
  readonly maximumRetryAttempts: number;
  readonly deadLetterQueueId: string;
};

/**
 * A Step Functions workflow, written once as an Amazon States Language file (JSONPath, not JSONata: the
 * local interpreter ignores JSONata) that the CDK stack deploys and the local stack interprets. Task states
 * call functions through `arn:aws:states:::lambda:invoke` with `FunctionName` set to a `${Placeholder}`;
 * `functions` maps each placeholder to the function whose ARN replaces it.
 */
export type StateMachineDefinition = {
  readonly id: string;
  readonly description: string;
  /** Path from the repository root to the ASL JSON file. */
  readonly definitionFile: string;
  readonly functions: Readonly<Record<string, string>>;
  /** Whole-execution limit (the ASL's own `TimeoutSeconds` must not exceed it). */
  readonly timeoutMinutes: number;
};

export type Access = 'read' | 'write' | 'readWrite';
export type BucketAccess = Access | 'readWriteDelete';

/** What a function is allowed to touch; the function construct turns each binding into env var + grant. */
export type FunctionBindings = {
  readonly table?: Access;
  readonly streams?: Readonly<Record<string, 'read' | 'write'>>;
  /** `sendAndConsume`: a consumer that puts follow-up work on its own queue (e.g. the next page). */
  readonly queues?: Readonly<Record<string, 'send' | 'consume' | 'sendAndConsume'>>;
  /** `readWriteDelete`: also deletes objects (an erasure removing what it wrote earlier). */
  readonly buckets?: Readonly<Record<string, BucketAccess>>;
  readonly bus?: 'put';
  /** Keyed hashing of identifiers (blind indexes): a KMS HMAC key in AWS, a local secret locally. */
  readonly blindIndex?: boolean;
  /**
   * Sealing and opening customers' PII under per-customer keys: a KMS key wraps them in AWS
   * (GenerateDataKey/Decrypt), a local wrapping key on the local stack.
   */
  readonly piiVault?: boolean;
};

export type FunctionDefinition = {
  readonly id: string;
  /** Path from the repository root to the module exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly bindings: FunctionBindings;
  /** Extra, non-secret settings. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Receives `C360_RESOURCES`, a JSON summary of the deployment's resource names (for health checks). */
  readonly exposesResourceSummary?: boolean;
};

/** Settings shared by the stream event sources (Kinesis, DynamoDB Streams). */
export type StreamSourceSettings = {
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly bisectBatchOnError: boolean;
  readonly maximumRetryAttempts: number;
  readonly maximumRecordAgeSeconds: number;
  readonly parallelizationFactor: number;
  readonly reportBatchItemFailures: boolean;
  /** Queue that receives the failed batch's description once retries are exhausted. */
  readonly onFailureQueueId: string;
  /**
   * Lambda event filtering (EventBridge pattern syntax, on the record as Lambda sees it; Kinesis `data` as
   * parsed JSON): only matching records invoke the function. None means every record.
   */
  readonly filters?: readonly Readonly<Record<string, unknown>>[];
};

export type KinesisEventSource = StreamSourceSettings & {
  readonly type: 'kinesis';
  readonly streamId: string;
};

/** The customer table's own stream: changes to it (e.g. cleaned events, the outbox) drive later stages. */
export type TableStreamEventSource = StreamSourceSettings & { readonly type: 'table-stream' };

export type SqsEventSource = {
  readonly type: 'sqs';
  readonly queueId: string;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly maxConcurrency: number;
};

export type EventSourceDefinition = {
  readonly id: string;
  readonly functionId: string;
  readonly source: KinesisEventSource | TableStreamEventSource | SqsEventSource;
};

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RouteDefinition = {
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway path syntax, e.g. `/customers/{id}`. */
  readonly path: string;
  readonly functionId: string;
  /**
   * `public` routes skip the JWT authorizer; others name the permission they need (see the access policy)
   * and require a token of one of the groups holding it.
   */
  readonly auth: 'public' | { readonly permission: string; readonly groups: readonly string[] };
  /** Requests per second and burst for this route; the stage's `apiThrottle` when absent. */
  readonly throttle?: RouteThrottle;
};

/** API Gateway throttling (token bucket): steady requests per second, and the bucket size. */
export type RouteThrottle = { readonly rateLimit: number; readonly burstLimit: number };

export type ResourceDefinitions = {
  readonly table: TableDefinition;
  readonly streams: readonly StreamDefinition[];
  readonly queues: readonly QueueDefinition[];
  readonly buckets: readonly BucketDefinition[];
  readonly bus: BusDefinition;
  readonly rules: readonly RuleDefinition[];
  readonly schedules: readonly ScheduleDefinition[];
  readonly stateMachines: readonly StateMachineDefinition[];
  readonly functions: readonly FunctionDefinition[];
  readonly eventSources: readonly EventSourceDefinition[];
  readonly routes: readonly RouteDefinition[];
};
