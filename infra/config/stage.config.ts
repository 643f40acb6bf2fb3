import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { buckets } from '../definitions/buckets.definition.ts';
import type { BucketDefinition } from '../definitions/resource.types.ts';
import type { Role } from '../definitions/routes.definition.ts';
import { HTTP_API_STAGE_SETTINGS, type HttpApiStageSettings } from './http-api.config.ts';

export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** Object lifecycle of a bucket, in days; starts from its definition so the local stack and AWS agree. */
export type BucketLifecycle = Pick<
  BucketDefinition,
  'expirationDays' | 'noncurrentExpirationDays' | 'infrequentAccessAfterDays'
>;

/**
 * AWS WAF in front of the API (WAF cannot be attached to an HTTP API): a CloudFront distribution with a
 * global web ACL (edge stack, us-east-1) and a regional web ACL on the Cognito user pool.
 */
export type WafConfig = {
  /** Requests per source IP in any 5-minute window before the rate-based rule blocks it. */
  readonly rateLimitPer5Minutes: number;
  /** CloudFront price class of the API distribution. */
  readonly priceClass: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
};

/** Everything that differs between deployments. Resource shapes stay in `infra/definitions`. */
export type StageConfig = HttpApiStageSettings & {
  readonly stage: Stage;
  /** Unset outside a configured shell, which keeps `cdk synth` environment-agnostic and offline. */
  readonly env: { readonly account: string | undefined; readonly region: string | undefined };
  /** Applied to every stateful resource: data must survive a stack deletion in prod. */
  readonly removalPolicy: RemovalPolicy;
  /** Empties buckets on stack deletion so a dev stage tears down cleanly; never in prod. */
  readonly autoDeleteObjects: boolean;
  readonly tableDeletionProtection: boolean;
  readonly userPoolDeletionProtection: boolean;
  readonly logRetention: RetentionDays;
  /** Server access logs of the data buckets. */
  readonly accessLogExpirationDays: number;
  /** Lifecycle per bucket definition id. */
  readonly bucketLifecycle: Readonly<Record<string, BucketLifecycle>>;
  /** Managed-rule WAF in front of the API; off when absent. */
  readonly waf?: WafConfig;
  /**
   * Roles (resource-server scopes) the machine client may request with client credentials. System
   * integrations act as one narrow role; widen deliberately.
   */
  readonly machineClientRoles: readonly Role[];
  readonly bundling: { readonly minify: boolean };
  /**
   * Object Lock on buckets that ask for it (the audit log): entries can then be neither changed nor deleted
   * until the retention ends, not even by the account root in COMPLIANCE mode. Off in dev, so `cdk destroy`
   * can empty the bucket.
   */
  readonly objectLock?: { readonly mode: 'COMPLIANCE' | 'GOVERNANCE'; readonly retentionDays: number };
};

const lifecycleFromDefinitions = (): Record<string, BucketLifecycle> =>
  Object.fromEntries(
    buckets.map((b: BucketDefinition) => [
      b.id,
      {
        expirationDays: b.expirationDays,
        noncurrentExpirationDays: b.noncurrentExpirationDays,
        infrequentAccessAfterDays: b.infrequentAccessAfterDays,
      },
    ]),
  );

const environment = () => ({
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: process.env.CDK_DEFAULT_REGION,
});

const configs: Record<Stage, () => StageConfig> = {
  dev: () => ({
    stage: 'dev',
    env: environment(),
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
    tableDeletionProtection: false,
    userPoolDeletionProtection: false,
    logRetention: RetentionDays.ONE_WEEK,
    accessLogExpirationDays: 30,
    bucketLifecycle: lifecycleFromDefinitions(),
    ...HTTP_API_STAGE_SETTINGS.dev,
    machineClientRoles: ['service'],
    bundling: { minify: false },
  }),
  prod: () => ({
    stage: 'prod',
    env: environment(),
    removalPolicy: RemovalPolicy.RETAIN,
    autoDeleteObjects: false,
    // Seven years, a common retention for records of access to personal data.
    objectLock: { mode: 'COMPLIANCE', retentionDays: 2557 },
    tableDeletionProtection: true,
    userPoolDeletionProtection: true,
    logRetention: RetentionDays.THREE_MONTHS,
    accessLogExpirationDays: 365,
    bucketLifecycle: lifecycleFromDefinitions(),
    ...HTTP_API_STAGE_SETTINGS.prod,
    waf: { rateLimitPer5Minutes: 2000, priceClass: 'PriceClass_100' },
    machineClientRoles: ['service'],
    bundling: { minify: true },
  }),
};

export const isStage = (value: unknown): value is Stage =>
  typeof value === 'string' && (STAGES as readonly string[]).includes(value);

export class UnknownStageError extends Error {
  override readonly name = 'UnknownStageError';
}

/** The configuration of a stage; anything but `dev` or `prod` is a typo and fails the synth. */
export const loadStageConfig = (stage: unknown): StageConfig => {
  if (!isStage(stage)) {
    throw new UnknownStageError(
      `Unknown stage ${JSON.stringify(stage)}: expected one of ${STAGES.join(', ')} (cdk synth -c stage=dev|prod)`,
    );
  }
  return configs[stage]();
};
