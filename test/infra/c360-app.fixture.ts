import { readFileSync } from 'node:fs';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { composeC360 } from '../../infra/bin/compose.ts';
import { loadStageConfig, type Stage, type StageConfig } from '../../infra/config/stage.config.ts';
import type { ResourceDefinitions } from '../../infra/definitions/resource.types.ts';
import { resources } from '../../infra/definitions/resources.definition.ts';

// The feature flags `cdk synth` runs with, so tests synthesize what the CLI synthesizes.
const cdkJsonContext = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/** An app with cdk.json's feature flags; asset bundling is skipped (esbuild is exercised by `npm run synth`). */
export const newTestApp = (): App =>
  new App({ context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } });

/** A stage's config with an agnostic environment, so results do not depend on the shell's AWS settings. */
export const testStageConfig = (stage: Stage): StageConfig => ({
  ...loadStageConfig(stage),
  env: { account: undefined, region: undefined },
});

export type SynthesizedC360 = ReturnType<typeof synthC360>;

/**
 * Composes c360 exactly as `infra/bin/app.ts` does (stacks, tags, cdk-nag plugin) and synthesizes it once.
 * `app.synth()` throws on any unacknowledged cdk-nag finding, so every infra test also guards nag.
 */
export const synthC360 = (stage: Stage, definitions: ResourceDefinitions = resources) => {
  const app = newTestApp();
  const config = testStageConfig(stage);
  const stacks = composeC360(app, config, definitions);
  app.synth();
  return {
    app,
    config,
    definitions,
    stacks,
    dataTemplate: Template.fromStack(stacks.data),
    appTemplate: Template.fromStack(stacks.app),
  };
};

/** The logical id of a construct's CloudFormation resource, for targeted assertions. */
export const logicalIdOf = (construct: IConstruct): string => {
  const cfn = construct.node.defaultChild as CfnElement | undefined;
  if (!cfn) throw new Error(`${construct.node.path} has no default CloudFormation resource`);
  return Stack.of(cfn).getLogicalId(cfn);
};

/** Properties of the resource with this logical id. */
export const propertiesOf = (template: Template, logicalId: string): Record<string, unknown> => {
  const resource = template.toJSON().Resources?.[logicalId] as
    | { Properties?: Record<string, unknown> }
    | undefined;
  if (!resource) throw new Error(`No resource ${logicalId} in the template`);
  return resource.Properties ?? {};
};
