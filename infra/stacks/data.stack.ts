import { Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stage.config.ts';
import { byId } from '../definitions/function-environment.ts';
import type {
  AttributeType,
  BucketDefinition,
  QueueDefinition,
  ResourceDefinitions,
  StreamDefinition,
} from '../definitions/resource.types.ts';

/** The stateful resources the stateless stacks bind to, keyed by definition id. */
export type DataResources = {
  readonly key: kms.IKey;
  readonly blindIndexKey: kms.IKey;
  readonly piiKey: kms.IKey;
  readonly table: dynamodb.ITable;
  readonly streams: ReadonlyMap<string, kinesis.IStream>;
  readonly queues: ReadonlyMap<string, sqs.IQueue>;
  readonly buckets: ReadonlyMap<string, s3.IBucket>;
  readonly bus: events.IEventBus;
};

/** Looks a resource up by definition id; definitions are validated first, so a miss is a programming error. */
export const resourceById = <T>(resources: ReadonlyMap<string, T>, id: string): T => {
  const found = resources.get(id);
  if (found === undefined) throw new Error(`No deployed resource for definition id ${id}`);
  return found;
};

export type DataStackProps = StackProps & {
  readonly config: StageConfig;
  readonly definitions: ResourceDefinitions;
};

const attributeTypes: Record<AttributeType, dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

/**
 * Stateful stack: everything that holds data, all encrypted with one customer-managed key. Kept apart from
 * the stateless stack so functions and APIs can be replaced without touching data.
 */
export class DataStack extends Stack implements DataResources {
  readonly key: kms.Key;
  readonly blindIndexKey: kms.Key;
  readonly piiKey: kms.Key;
  readonly table: dynamodb.Table;
  readonly streams: ReadonlyMap<string, kinesis.Stream>;
  readonly queues: ReadonlyMap<string, sqs.Queue>;
  readonly buckets: ReadonlyMap<string, s3.Bucket>;
  readonly accessLogsBucket: s3.Bucket;
  readonly bus: events.EventBus;

  private readonly config: StageConfig;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config, definitions } = props;
    this.config = config;

    this.key = new kms.Key(this, 'DataKey', {
      description: `c360 ${config.stage}: encrypts the customer table, streams, queues and buckets`,
      enableKeyRotation: true,
      alias: `alias/c360/${config.stage}/data`,
      removalPolicy: config.removalPolicy,
    });

    // Identifiers are looked up by keyed hash; the HMAC key never leaves KMS (functions derive per-purpose
    // keys from it with GenerateMac at cold start).
    this.blindIndexKey = new kms.Key(this, 'BlindIndexKey', {
      description: `c360 ${config.stage}: HMAC key for blind indexes of customer identifiers`,
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      alias: `alias/c360/${config.stage}/blind-index`,
      removalPolicy: config.removalPolicy,
    });

    // Wraps each customer's own PII key (AWS Encryption SDK KMS keyring); erasing a customer destroys their
    // wrapped key, so this key only ever protects keys, never data.
    this.piiKey = new kms.Key(this, 'PiiKey', {
      description: `c360 ${config.stage}: wraps per-customer keys that encrypt customer PII`,
      enableKeyRotation: true,
      alias: `alias/c360/${config.stage}/pii`,
      removalPolicy: config.removalPolicy,
    });

    this.table = this.createTable(definitions);
    this.streams = new Map(definitions.streams.map((def) => [def.id, this.createStream(def)]));
    this.queues = this.createQueues(definitions.queues);
    this.accessLogsBucket = this.createAccessLogsBucket();
    this.buckets = new Map(definitions.buckets.map((def) => [def.id, this.createBucket(def)]));

    this.bus = new events.EventBus(this, definitions.bus.id, {
      description: `c360 ${config.stage} domain events`,
    });
    this.bus.archive('Archive', {
      description: 'Every event on the c360 bus, for replay',
      // Every event carries the account it was put in: this pattern matches all events on the bus.
      eventPattern: { account: [this.account] },
      retention: Duration.days(definitions.bus.archiveRetentionDays),
    });
    this.authorizeBusDelivery(definitions);
  }

  private createTable(definitions: ResourceDefinitions): dynamodb.Table {
    const def = definitions.table;
    const table = new dynamodb.Table(this, def.id, {
      partitionKey: { name: def.partitionKey.name, type: attributeTypes[def.partitionKey.type] },
      sortKey: { name: def.sortKey.name, type: attributeTypes[def.sortKey.type] },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: def.timeToLiveAttribute,
      stream: dynamodb.StreamViewType[def.streamView],
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      deletionProtection: this.config.tableDeletionProtection,
      removalPolicy: this.config.removalPolicy,
    });
    for (const gsi of def.globalSecondaryIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey.name, type: attributeTypes[gsi.partitionKey.type] },
        sortKey: { name: gsi.sortKey.name, type: attributeTypes[gsi.sortKey.type] },
        projectionType: dynamodb.ProjectionType[gsi.projection],
      });
    }
    return table;
  }

  private createStream(def: StreamDefinition): kinesis.Stream {
    const stream = new kinesis.Stream(this, def.id, {
      streamMode: kinesis.StreamMode.ON_DEMAND,
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: this.key,
      retentionPeriod: Duration.hours(def.retentionHours),
      removalPolicy: this.config.removalPolicy,
    });
    Validations.of(stream).acknowledge({
      id: 'AwsSolutions-KDS3',
      reason:
        'Customer events carry PII: every c360 data store uses the one customer-managed key (rotation, own key policy, revocable), not aws/kinesis',
    });
    return stream;
  }

  /** Creates every queue, each after the dead-letter queue it redrives to, whatever the definition order. */
  private createQueues(defs: readonly QueueDefinition[]): Map<string, sqs.Queue> {
    const created = new Map<string, sqs.Queue>();
    const ensure = (def: QueueDefinition): sqs.Queue => {
      const existing = created.get(def.id);
      if (existing) return existing;
      const deadLetterQueue = def.deadLetter && {
        queue: ensure(byId(defs, def.deadLetter.queueId)),
        maxReceiveCount: def.deadLetter.maxReceiveCount,
      };
      const queue = new sqs.Queue(this, def.id, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        retentionPeriod: Duration.days(def.retentionDays),
        visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
        enforceSSL: true,
        deadLetterQueue,
        removalPolicy: this.config.removalPolicy,
      });
      if (!def.deadLetter) {
        Validations.of(queue).acknowledge({
          id: 'AwsSolutions-SQS3',
          reason: `${def.id} declares no deadLetter: it is a terminal dead-letter/on-failure destination, a DLQ of a DLQ would only move the failures`,
        });
      }
      created.set(def.id, queue);
      return queue;
    };
    for (const def of defs) ensure(def);
    return created;
  }

  private createAccessLogsBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(this.config.accessLogExpirationDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy: this.config.removalPolicy,
      autoDeleteObjects: this.config.autoDeleteObjects,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log destination; logging it into itself would loop',
    });
    return bucket;
  }

  private createBucket(def: BucketDefinition): s3.Bucket {
    const lifecycle = this.config.bucketLifecycle[def.id] ?? def;
    const lock = def.objectLock ? this.config.objectLock : undefined;
    return new s3.Bucket(this, def.id, {
      ...(lock === undefined
        ? {}
        : {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              lock.mode === 'COMPLIANCE'
                ? s3.ObjectLockRetention.compliance(Duration.days(lock.retentionDays))
                : s3.ObjectLockRetention.governance(Duration.days(lock.retentionDays)),
          }),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: `${def.id}/`,
      lifecycleRules: [
        {
          expiration:
            lifecycle.expirationDays === undefined ? undefined : Duration.days(lifecycle.expirationDays),
          noncurrentVersionExpiration: Duration.days(lifecycle.noncurrentExpirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          transitions:
            lifecycle.infrequentAccessAfterDays === undefined
              ? undefined
              : [
                  {
                    storageClass: s3.StorageClass.INFREQUENT_ACCESS,
                    transitionAfter: Duration.days(lifecycle.infrequentAccessAfterDays),
                  },
                ],
        },
      ],
      removalPolicy: this.config.removalPolicy,
      autoDeleteObjects: this.config.autoDeleteObjects,
    });
  }

  /**
   * Lets rules on this stack's bus deliver to the queues the rule definitions name (as target or as
   * dead-letter queue), and use the key those queues are encrypted with. Granted here rather than by the
   * rule targets in the stateless stack: a queue policy naming a rule ARN from that stack would make the
   * two stacks depend on each other.
   */
  private authorizeBusDelivery(definitions: ResourceDefinitions): void {
    const queueIds = new Set(
      definitions.rules.flatMap((rule) =>
        rule.targets.flatMap((t) =>
          t.type === 'queue' ? [t.queueId, t.deadLetterQueueId] : [t.deadLetterQueueId],
        ),
      ),
    );
    if (queueIds.size === 0) return;
    const eventBridge = new iam.ServicePrincipal('events.amazonaws.com');
    const fromRulesOnThisBus = {
      ArnLike: {
        'aws:SourceArn': this.formatArn({
          service: 'events',
          resource: 'rule',
          resourceName: `${this.bus.eventBusName}/*`,
        }),
      },
    };
    for (const id of queueIds) {
      const queue = resourceById(this.queues, id);
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowRulesOnC360Bus',
          principals: [eventBridge],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: fromRulesOnThisBus,
        }),
      );
    }
    // Scheduled rules live on the account's default bus; they may only dead-letter here.
    const scheduleDlqs = new Set(definitions.schedules.map((sch) => sch.deadLetterQueueId));
    const fromScheduledRules = {
      ArnLike: {
        'aws:SourceArn': this.formatArn({ service: 'events', resource: 'rule', resourceName: '*' }),
      },
      StringEquals: { 'aws:SourceAccount': this.account },
    };
    for (const id of scheduleDlqs) {
      const queue = resourceById(this.queues, id);
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowScheduledRulesToDeadLetter',
          principals: [eventBridge],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: fromScheduledRules,
        }),
      );
    }
    if (scheduleDlqs.size > 0)
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowScheduledRulesToUseEncryptedQueues',
          principals: [eventBridge],
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: ['*'],
          conditions: fromScheduledRules,
        }),
      );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowRulesOnC360BusToUseEncryptedQueues',
        principals: [eventBridge],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: fromRulesOnThisBus,
      }),
    );
  }
}
