import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '../../infra/config/stage.config.ts';
import { MANAGED_RULE_GROUPS } from '../../infra/constructs/managed-rules-web-acl.construct.ts';
import { httpApiCors, routeKeyOf, routeThrottle } from '../../infra/definitions/http-api.definition.ts';
import { EDGE_REGION, edgeWebAclParameterName } from '../../infra/stacks/edge.stack.ts';
import { type SynthesizedC360, synthC360 } from './c360-app.fixture.ts';

type StageResource = { Properties: { RouteSettings?: Record<string, unknown>; StageName: string } };

/** The HTTP API's edge: per-route throttling, CORS and, where the stage enables it, AWS WAF. */
describe('Infra: HTTP API edge', () => {
  const synthesized = new Map<string, SynthesizedC360>();
  beforeAll(() => {
    for (const stage of STAGES) synthesized.set(stage, synthC360(stage));
  });
  const of = (stage: string): SynthesizedC360 => {
    const s = synthesized.get(stage);
    if (!s) throw new Error(`not synthesized: ${stage}`);
    return s;
  };

  it.each(STAGES)('throttles every route of %s as its definition says, or at the stage default', (stage) => {
    const { appTemplate, config, definitions } = of(stage);
    const stages = Object.values(appTemplate.findResources('AWS::ApiGatewayV2::Stage')) as StageResource[];
    expect(stages).toHaveLength(1);
    const expected = Object.fromEntries(
      definitions.routes.map((route) => {
        const t = routeThrottle(route, config.apiThrottle);
        return [routeKeyOf(route), { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit }];
      }),
    );
    expect(stages[0]?.Properties.RouteSettings).toEqual(expected);
    // At least one route overrides the default, so the test tells the two apart.
    expect(definitions.routes.some((r) => r.throttle !== undefined)).toBe(true);
  });

  it('deploys the stage after the routes its settings name', () => {
    const template = of('dev').appTemplate.toJSON() as {
      Resources: Record<string, { Type: string; DependsOn?: string[] }>;
    };
    const routeIds = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map(([id]) => id);
    const stage = Object.values(template.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage');
    expect(routeIds.length).toBe(of('dev').definitions.routes.length);
    expect(stage?.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('allows the shared CORS headers for the stage origins, and exposes the replay and retry headers', () => {
    const { appTemplate, config } = of('dev');
    appTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: [...config.corsAllowedOrigins],
        AllowHeaders: Match.arrayWith(['authorization', 'content-type', 'idempotency-key', 'x-c360-purpose']),
        ExposeHeaders: Match.arrayWith(['idempotent-replayed', 'retry-after']),
        AllowMethods: [...httpApiCors.allowMethods],
        MaxAge: httpApiCors.maxAgeSeconds,
      },
    });
  });

  it('has no WAF, distribution or edge stack in dev', () => {
    const dev = of('dev');
    expect(dev.config.waf).toBeUndefined();
    expect(dev.stacks.edge).toBeUndefined();
    dev.appTemplate.resourceCountIs('AWS::WAFv2::WebACL', 0);
    dev.appTemplate.resourceCountIs('AWS::CloudFront::Distribution', 0);
  });

  describe('prod', () => {
    const managedRules = (rateLimit: number) =>
      Match.arrayWith([
        ...MANAGED_RULE_GROUPS.map((name) =>
          Match.objectLike({
            Name: name,
            OverrideAction: { None: {} },
            Statement: { ManagedRuleGroupStatement: Match.objectLike({ VendorName: 'AWS', Name: name }) },
          }),
        ),
        Match.objectLike({
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: { Limit: rateLimit, AggregateKeyType: 'IP', EvaluationWindowSec: 300 },
          },
        }),
      ]);

    it('creates the CLOUDFRONT web ACL with the managed rules and a rate rule in a us-east-1 edge stack', () => {
      const prod = of('prod');
      const edge = prod.stacks.edge;
      if (!edge || !prod.config.waf) throw new Error('prod has no edge stack');
      expect(edge.region).toBe(EDGE_REGION);
      const template = Template.fromStack(edge);
      template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'CLOUDFRONT',
        DefaultAction: { Allow: {} },
        Rules: managedRules(prod.config.waf.rateLimitPer5Minutes),
      });
      template.hasResourceProperties('AWS::SSM::Parameter', { Name: edgeWebAclParameterName('prod') });
      expect(prod.stacks.app.dependencies).toContain(edge);
    });

    it('puts a CloudFront distribution with that web ACL in front of the API, forwarding Authorization and caching nothing', () => {
      const { appTemplate } = of('prod');
      appTemplate.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          WebACLId: Match.anyValue(),
          DefaultCacheBehavior: Match.objectLike({
            ViewerProtocolPolicy: 'https-only',
            AllowedMethods: Match.arrayWith(['PATCH', 'POST', 'DELETE']),
          }),
        }),
      });
      appTemplate.hasResourceProperties('AWS::CloudFront::CachePolicy', {
        CachePolicyConfig: Match.objectLike({
          DefaultTTL: 0,
          MinTTL: 0,
          ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
            HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['authorization'] },
          }),
        }),
      });
      appTemplate.hasResourceProperties('Custom::AWS', {
        Create: Match.serializedJson(Match.objectLike({ region: EDGE_REGION, action: 'getParameter' })),
      });
    });

    it('protects the Cognito user pool with a REGIONAL web ACL', () => {
      const prod = of('prod');
      const waf = prod.config.waf;
      if (!waf) throw new Error('prod has no WAF');
      prod.appTemplate.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        Rules: managedRules(waf.rateLimitPer5Minutes),
      });
      prod.appTemplate.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
        ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^UserPool'), 'Arn'] },
      });
    });
  });
});
