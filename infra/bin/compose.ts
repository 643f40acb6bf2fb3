import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { StageConfig } from '../config/stage.config.ts';
import type { ResourceDefinitions } from '../definitions/resource.types.ts';
import { assertResourcesValid, resources } from '../definitions/resources.definition.ts';
import { AppStack } from '../stacks/app.stack.ts';
import { DataStack } from '../stacks/data.stack.ts';
import { EDGE_REGION, EdgeStack } from '../stacks/edge.stack.ts';

export type C360Stacks = {
  readonly data: DataStack;
  readonly app: AppStack;
  /** The us-east-1 web ACL of the API distribution, where the stage enables WAF. */
  readonly edge?: EdgeStack;
};

/**
 * Builds c360 for one stage into `app`: the stateful data stack, the stateless app stack wired to it by
 * props, tags, and cdk-nag's AwsSolutions pack as a validation plugin (synth fails on any unacknowledged
 * finding). `bin/app.ts` and the infra tests share it, so the tests check what `cdk synth` deploys.
 */
export const composeC360 = (
  app: App,
  config: StageConfig,
  definitions: ResourceDefinitions = resources,
): C360Stacks => {
  assertResourcesValid(definitions);
  const prefix = `c360-${config.stage}`;
  const env = config.env;

  const data = new DataStack(app, `${prefix}-data`, {
    env,
    config,
    definitions,
    description: `c360 ${config.stage}: stateful resources (table, streams, queues, buckets, bus, key)`,
    terminationProtection: config.stage === 'prod',
  });
  const appStack = new AppStack(app, `${prefix}-app`, {
    env,
    config,
    definitions,
    data,
    description: `c360 ${config.stage}: functions, event sources, rules, user pool and HTTP API`,
  });
  appStack.addStackDependency(data, 'the app stack binds to the data stack resources');
  const edge = config.waf
    ? new EdgeStack(app, `${prefix}-edge`, {
        env: { account: env.account, region: EDGE_REGION },
        stage: config.stage,
        waf: config.waf,
        description: `c360 ${config.stage}: global AWS WAF web ACL of the API distribution (us-east-1)`,
        terminationProtection: config.stage === 'prod',
      })
    : undefined;
  if (edge) appStack.addStackDependency(edge, 'the API distribution reads the edge web ACL ARN');

  Tags.of(app).add('project', 'c360');
  Tags.of(app).add('stage', config.stage);
  Tags.of(app).add('managed-by', 'aws-cdk');

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { data, app: appStack, ...(edge ? { edge } : {}) };
};
