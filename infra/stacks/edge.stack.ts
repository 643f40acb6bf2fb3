import { Stack, type StackProps } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { WafConfig } from '../config/stage.config.ts';
import { ManagedRulesWebAcl } from '../constructs/managed-rules-web-acl.construct.ts';

/** CloudFront web ACLs exist only in us-east-1, whatever the region of the rest of the deployment. */
export const EDGE_REGION = 'us-east-1';

/** Where the edge stack publishes its web ACL's ARN (in us-east-1), for the app stack's distribution. */
export const edgeWebAclParameterName = (stage: string): string => `/c360/${stage}/edge/api-web-acl-arn`;

export type EdgeStackProps = StackProps & { readonly stage: string; readonly waf: WafConfig };

/**
 * The global part of the API's protection: the CLOUDFRONT-scope web ACL of the API distribution. Its ARN goes
 * to an SSM parameter that the app stack reads across regions at deploy time, which keeps every stack
 * environment-agnostic (CDK's `crossRegionReferences` needs concrete regions at synth).
 */
export class EdgeStack extends Stack {
  readonly webAcl: ManagedRulesWebAcl;
  readonly webAclArnParameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    this.webAcl = new ManagedRulesWebAcl(this, 'ApiWebAcl', {
      scope: 'CLOUDFRONT',
      waf: props.waf,
      metricPrefix: `c360-${props.stage}-api-edge`,
    });
    this.webAclArnParameter = new ssm.StringParameter(this, 'ApiWebAclArn', {
      parameterName: edgeWebAclParameterName(props.stage),
      stringValue: this.webAcl.webAcl.attrArn,
      description: `ARN of the c360 ${props.stage} API distribution's web ACL`,
    });
  }
}
