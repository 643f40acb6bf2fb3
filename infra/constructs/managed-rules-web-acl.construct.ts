import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { WafConfig } from '../config/stage.config.ts';

export type ManagedRulesWebAclProps = {
  /** `CLOUDFRONT` (only in us-east-1) or `REGIONAL` (user pools, ALBs, REST APIs in the stack's region). */
  readonly scope: 'CLOUDFRONT' | 'REGIONAL';
  readonly waf: WafConfig;
  /** Prefix of the CloudWatch metric names. */
  readonly metricPrefix: string;
};

/** The AWS managed rule groups every c360 web ACL runs, in priority order. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

/**
 * A WAFv2 web ACL that allows by default and blocks with AWS managed rules (IP reputation, the common rule
 * set, known bad inputs) and a per-IP rate-based rule.
 */
export class ManagedRulesWebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: ManagedRulesWebAclProps) {
    super(scope, id);
    const visibility = (name: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.metricPrefix}-${name}`,
    });
    const managed = MANAGED_RULE_GROUPS.map((name, priority) => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          // The Segment collect route takes batches up to 500 KB (and checks its own limits); the common
          // rule set would block any body over 8 KB, so that one rule only counts.
          ...(name === 'AWSManagedRulesCommonRuleSet'
            ? { ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }] }
            : {}),
        },
      },
      visibilityConfig: visibility(name),
    }));
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: props.scope,
      defaultAction: { allow: {} },
      visibilityConfig: visibility('web-acl'),
      rules: [
        ...managed,
        {
          name: 'RateLimitPerIp',
          priority: managed.length,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: props.waf.rateLimitPer5Minutes,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
            },
          },
          visibilityConfig: visibility('rate-limit-per-ip'),
        },
      ],
    });
  }
}
