import { Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { composeC360 } from '../../infra/bin/compose.ts';
import { STAGES } from '../../infra/config/stage.config.ts';
import { newTestApp, type SynthesizedC360, synthC360, testStageConfig } from './c360-app.fixture.ts';

/** Every acknowledgement recorded anywhere in the tree, with its reason. */
const acknowledgements = (root: IConstruct): { path: string; id: string; reason: string }[] =>
  root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id,
          reason,
        })),
      ),
  );

describe('Infra: cdk-nag', () => {
  const synthesized = new Map<string, SynthesizedC360>();

  beforeAll(() => {
    // synthC360 runs app.synth(), which throws on any unacknowledged AwsSolutions finding.
    for (const stage of STAGES) synthesized.set(stage, synthC360(stage));
  });

  it.each(STAGES)('reports no unacknowledged AwsSolutions finding for %s, errors or warnings', (stage) => {
    const s = synthesized.get(stage);
    if (!s) throw new Error(`not synthesized: ${stage}`);
    const report = new AwsSolutionsChecks().validateScope(s.app);
    expect(
      report.violations.map((v) => `${v.ruleName} at ${v.violatingResources[0]?.constructPath}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only specific findings on specific constructs, each with a reason', () => {
    const s = synthesized.get('dev');
    if (!s) throw new Error('not synthesized: dev');
    const acks = acknowledgements(s.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      // Scoped below a stack, never on the app or a whole stack.
      expect(ack.path.split('/').length, `${ack.id} at ${ack.path}`).toBeGreaterThan(1);
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(30);
      // A bare IAM5 would hide every wildcard: each must name its finding.
      if (ack.id.includes('IAM5')) expect(ack.id).toMatch(/IAM5\[(Resource|Action)::.+\]$/);
    }
  });

  it('is wired as a validation plugin: an unacknowledged finding fails the synth', () => {
    // Prepare
    const app = newTestApp();
    composeC360(app, testStageConfig('dev'));
    const rogue = new Stack(app, 'Rogue');
    new sqs.Queue(rogue, 'PlainQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    // Act + Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});
