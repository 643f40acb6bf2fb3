import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStageConfig, UnknownStageError } from '../../infra/config/stage.config.ts';
import type { KeyAttribute } from '../../infra/definitions/resource.types.ts';
import { resources } from '../../infra/definitions/resources.definition.ts';
import { resourceById } from '../../infra/stacks/data.stack.ts';
import { logicalIdOf, propertiesOf, type SynthesizedC360, synthC360 } from './c360-app.fixture.ts';

const keySchema = (pk: KeyAttribute, sk: KeyAttribute) => [
  { AttributeName: pk.name, KeyType: 'HASH' },
  { AttributeName: sk.name, KeyType: 'RANGE' },
];
const DAY = 86_400;

describe('Infra: data stack', () => {
  let dev: SynthesizedC360;
  let prod: SynthesizedC360;

  beforeAll(() => {
    dev = synthC360('dev');
    prod = synthC360('prod');
  });

  const keyArn = (s: SynthesizedC360) => s.stacks.data.resolve(s.stacks.data.key.keyArn);

  describe('customer table', () => {
    const table = resources.table;
    const tableProps = (s: SynthesizedC360) => propertiesOf(s.dataTemplate, logicalIdOf(s.stacks.data.table));

    it('has the key schema and GSIs of the table definition', () => {
      // Prepare
      const expectedGsis = table.globalSecondaryIndexes.map((gsi) => ({
        IndexName: gsi.indexName,
        KeySchema: keySchema(gsi.partitionKey, gsi.sortKey),
        Projection: { ProjectionType: gsi.projection },
      }));
      // Act
      const props = tableProps(dev);
      // Assess
      expect(props.KeySchema).toEqual(keySchema(table.partitionKey, table.sortKey));
      expect(props.GlobalSecondaryIndexes).toEqual(expectedGsis);
      dev.dataTemplate.resourceCountIs('AWS::DynamoDB::Table', 1);
    });

    it('is on-demand with PITR, the defined TTL attribute and stream view', () => {
      const props = tableProps(dev);
      expect(props.BillingMode).toBe('PAY_PER_REQUEST');
      expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(props.TimeToLiveSpecification).toEqual({
        AttributeName: table.timeToLiveAttribute,
        Enabled: true,
      });
      expect(props.StreamSpecification).toEqual({ StreamViewType: table.streamView });
    });

    it('is encrypted with the customer-managed key', () => {
      expect(tableProps(dev).SSESpecification).toEqual({
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: keyArn(dev),
      });
    });

    it('is deletion-protected and retained in prod only', () => {
      expect(tableProps(prod).DeletionProtectionEnabled).toBe(true);
      expect(tableProps(dev).DeletionProtectionEnabled).toBe(false);
      prod.dataTemplate.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
      dev.dataTemplate.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    });
  });

  it('has a customer-managed data key with rotation, an HMAC key for blind indexes, a rotated PII wrapping key, and an alias for each', () => {
    expect(propertiesOf(dev.dataTemplate, logicalIdOf(dev.stacks.data.key))).toMatchObject({
      EnableKeyRotation: true,
    });
    expect(propertiesOf(dev.dataTemplate, logicalIdOf(dev.stacks.data.blindIndexKey))).toMatchObject({
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
    });
    expect(propertiesOf(dev.dataTemplate, logicalIdOf(dev.stacks.data.piiKey))).toMatchObject({
      EnableKeyRotation: true,
    });
    dev.dataTemplate.resourceCountIs('AWS::KMS::Alias', 3);
  });

  it('creates every defined Kinesis stream on-demand, KMS-encrypted, with the defined retention', () => {
    dev.dataTemplate.resourceCountIs('AWS::Kinesis::Stream', resources.streams.length);
    for (const def of resources.streams) {
      const stream = resourceById(dev.stacks.data.streams, def.id);
      expect(propertiesOf(dev.dataTemplate, logicalIdOf(stream))).toMatchObject({
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        StreamEncryption: { EncryptionType: 'KMS', KeyId: keyArn(dev) },
        RetentionPeriodHours: def.retentionHours,
      });
    }
  });

  describe('buckets', () => {
    it('locks the audit log in prod (COMPLIANCE, seven years) and only buckets that ask for it; not in dev, so it can be torn down', () => {
      const lockOf = (stage: SynthesizedC360, id: string) =>
        propertiesOf(stage.dataTemplate, logicalIdOf(resourceById(stage.stacks.data.buckets, id)));
      for (const def of resources.buckets) {
        const prodProps = lockOf(prod, def.id);
        if ('objectLock' in def && def.objectLock) {
          expect(prodProps.ObjectLockEnabled).toBe(true);
          expect(prodProps.ObjectLockConfiguration).toEqual({
            ObjectLockEnabled: 'Enabled',
            Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } },
          });
          expect(prodProps.LifecycleConfiguration).not.toMatchObject({
            Rules: [expect.objectContaining({ ExpirationInDays: expect.anything() })],
          });
        } else expect(prodProps.ObjectLockEnabled).toBeUndefined();
        expect(lockOf(dev, def.id).ObjectLockEnabled).toBeUndefined();
      }
    });

    it('blocks public access on every bucket, access-log bucket included', () => {
      dev.dataTemplate.resourceCountIs('AWS::S3::Bucket', resources.buckets.length + 1);
      dev.dataTemplate.allResourcesProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
    });

    it('denies non-TLS requests on every bucket', () => {
      const { data } = dev.stacks;
      for (const bucket of [...data.buckets.values(), data.accessLogsBucket]) {
        dev.dataTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
          Bucket: data.resolve(bucket.bucketName),
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Action: 's3:*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      }
    });

    it('encrypts data buckets with the CMK, logs access and applies the defined lifecycle', () => {
      const { data } = dev.stacks;
      for (const def of resources.buckets) {
        const props = propertiesOf(dev.dataTemplate, logicalIdOf(resourceById(data.buckets, def.id)));
        expect(props.BucketEncryption).toEqual({
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn(dev) },
            },
          ],
        });
        expect(props.LoggingConfiguration).toMatchObject({
          DestinationBucketName: data.resolve(data.accessLogsBucket.bucketName),
        });
        const [rule] = (props.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
        expect(rule?.ExpirationInDays).toBe(def.expirationDays);
        expect(rule?.NoncurrentVersionExpiration).toEqual({ NoncurrentDays: def.noncurrentExpirationDays });
        expect(rule?.Transitions).toEqual(
          def.infrequentAccessAfterDays === undefined
            ? undefined
            : [{ StorageClass: 'STANDARD_IA', TransitionInDays: def.infrequentAccessAfterDays }],
        );
      }
    });

    it('keeps the access-log bucket S3-managed encrypted', () => {
      const props = propertiesOf(dev.dataTemplate, logicalIdOf(dev.stacks.data.accessLogsBucket));
      expect(props.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
    });
  });

  describe('queues', () => {
    it('creates every defined queue KMS-encrypted with the defined retention, visibility and redrive', () => {
      const { data } = dev.stacks;
      dev.dataTemplate.resourceCountIs('AWS::SQS::Queue', resources.queues.length);
      for (const def of resources.queues) {
        const props = propertiesOf(dev.dataTemplate, logicalIdOf(resourceById(data.queues, def.id)));
        expect(props.KmsMasterKeyId).toEqual(keyArn(dev));
        expect(props.MessageRetentionPeriod).toBe(def.retentionDays * DAY);
        expect(props.VisibilityTimeout).toBe(def.visibilityTimeoutSeconds);
        expect(props.RedrivePolicy).toEqual(
          def.deadLetter && {
            deadLetterTargetArn: data.resolve(resourceById(data.queues, def.deadLetter.queueId).queueArn),
            maxReceiveCount: def.deadLetter.maxReceiveCount,
          },
        );
      }
    });

    it('denies non-TLS access to every queue', () => {
      const { data } = dev.stacks;
      for (const queue of data.queues.values()) {
        dev.dataTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [data.resolve(queue.queueUrl)],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    });

    it('lets only rules on the c360 bus deliver to the queues the rules name', () => {
      const { data } = dev.stacks;
      const ruleQueueIds = resources.rules.flatMap((r) =>
        r.targets.flatMap((t) =>
          t.type === 'queue' ? [t.queueId, t.deadLetterQueueId] : [t.deadLetterQueueId],
        ),
      );
      expect(ruleQueueIds.length).toBeGreaterThan(0);
      for (const id of ruleQueueIds) {
        const queue = resourceById(data.queues, id);
        dev.dataTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [data.resolve(queue.queueUrl)],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Condition: { ArnLike: { 'aws:SourceArn': Match.anyValue() } },
              }),
            ]),
          },
        });
      }
    });
  });

  it('archives every event of the bus for the defined retention', () => {
    const { data } = dev.stacks;
    dev.dataTemplate.resourceCountIs('AWS::Events::EventBus', 1);
    dev.dataTemplate.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: data.resolve(data.bus.eventBusArn),
      RetentionDays: resources.bus.archiveRetentionDays,
      EventPattern: { account: [data.resolve(data.account)] },
    });
  });
});

describe('Infra: stage config', () => {
  it('rejects an unknown stage with a clear error', () => {
    expect(() => loadStageConfig('qa')).toThrow(UnknownStageError);
    expect(() => loadStageConfig('qa')).toThrow(/expected one of dev, prod/);
  });

  it('protects data in prod only', () => {
    const dev = loadStageConfig('dev');
    const prod = loadStageConfig('prod');
    expect([dev.tableDeletionProtection, prod.tableDeletionProtection]).toEqual([false, true]);
    expect([dev.autoDeleteObjects, prod.autoDeleteObjects]).toEqual([true, false]);
  });

  it('takes bucket lifecycles from the bucket definitions', () => {
    for (const def of resources.buckets) {
      expect(loadStageConfig('prod').bucketLifecycle[def.id]).toEqual({
        expirationDays: def.expirationDays,
        noncurrentExpirationDays: def.noncurrentExpirationDays,
        infrequentAccessAfterDays: def.infrequentAccessAfterDays,
      });
    }
  });
});
