import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { WafConfig } from '../config/stage.config.ts';
import { EDGE_REGION, edgeWebAclParameterName } from '../stacks/edge.stack.ts';
import { ManagedRulesWebAcl } from './managed-rules-web-acl.construct.ts';

export type ApiEdgeProtectionProps = {
  readonly api: apigwv2.IHttpApi;
  readonly userPool: cognito.IUserPool;
  readonly stage: string;
  readonly waf: WafConfig;
};

/** Construct id CDK gives the singleton function behind every AwsCustomResource of a stack. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

const PRICE_CLASSES: Record<WafConfig['priceClass'], cloudfront.PriceClass> = {
  PriceClass_100: cloudfront.PriceClass.PRICE_CLASS_100,
  PriceClass_200: cloudfront.PriceClass.PRICE_CLASS_200,
  PriceClass_All: cloudfront.PriceClass.PRICE_CLASS_ALL,
};

/**
 * AWS WAF for an HTTP API, which WAF cannot protect directly: a CloudFront distribution in front of the API
 * with the edge stack's CLOUDFRONT web ACL, and a REGIONAL web ACL on the Cognito user pool (sign-in and token
 * endpoints). Nothing is cached: the API answers per caller.
 */
export class ApiEdgeProtection extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly userPoolWebAcl: ManagedRulesWebAcl;

  constructor(scope: Construct, id: string, props: ApiEdgeProtectionProps) {
    super(scope, id);
    const { api, userPool, stage, waf } = props;

    this.userPoolWebAcl = new ManagedRulesWebAcl(this, 'UserPoolWebAcl', {
      scope: 'REGIONAL',
      waf,
      metricPrefix: `c360-${stage}-user-pool`,
    });
    new wafv2.CfnWebACLAssociation(this, 'UserPoolWebAclAssociation', {
      resourceArn: userPool.userPoolArn,
      webAclArn: this.userPoolWebAcl.webAcl.attrArn,
    });

    // The edge stack's web ACL ARN, read from us-east-1 at deploy time.
    const parameterName = edgeWebAclParameterName(stage);
    const webAclArn = new cr.AwsCustomResource(this, 'EdgeWebAclArn', {
      onUpdate: {
        service: 'SSM',
        action: 'getParameter',
        parameters: { Name: parameterName },
        region: EDGE_REGION,
        physicalResourceId: cr.PhysicalResourceId.of(parameterName),
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({
        resources: [
          Stack.of(this).formatArn({
            service: 'ssm',
            region: EDGE_REGION,
            resource: 'parameter',
            resourceName: parameterName.replace(/^\//, ''),
          }),
        ],
      }),
      installLatestAwsSdk: false,
    });

    // Caching off in effect (TTL 0; responses are never reused), but the Authorization header must be part of
    // a cache policy to reach the origin: CloudFront refuses it in an origin request policy.
    const cachePolicy = new cloudfront.CachePolicy(this, 'ApiCachePolicy', {
      comment: `c360 ${stage} API: forward Authorization, cache nothing`,
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('authorization'),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    });
    this.distribution = new cloudfront.Distribution(this, 'ApiDistribution', {
      comment: `c360 ${stage} API behind AWS WAF`,
      defaultBehavior: {
        origin: new origins.HttpOrigin(`${api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        }),
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        cachePolicy,
        // API Gateway needs its own host name in Host; every other viewer header (content-type,
        // idempotency-key, x-c360-purpose, origin …) goes through.
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      webAclId: webAclArn.getResponseField('Parameter.Value'),
      priceClass: PRICE_CLASSES[waf.priceClass],
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });
    const acknowledge = (construct: Construct, id: string, reason: string) =>
      Validations.of(construct).acknowledge({ id, reason });
    // The custom resource's provider: CDK's one singleton function per stack for AwsCustomResource.
    const provider = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    if (provider)
      acknowledge(
        provider,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'CDK AwsCustomResource provider: the managed policy only lets it write its own CloudWatch logs; its one call (ssm:GetParameter) is scoped to the edge parameter',
      );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'Customers and channel systems call the API from any country; no geo restriction by design',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR3',
      'Every request that passes the distribution is logged by the HTTP API stage access log (JSON); WAF keeps sampled requests and metrics',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'No custom domain yet: the default *.cloudfront.net certificate cannot pin a minimum TLS version; add a certificate with the domain',
    );
  }
}
