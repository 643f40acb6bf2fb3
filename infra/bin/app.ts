import { App } from 'aws-cdk-lib';
import { loadStageConfig } from '../config/stage.config.ts';
import { composeC360 } from './compose.ts';

// Composition root: `cdk synth -c stage=prod`; cdk.json sets the default stage (dev).
const app = new App();
composeC360(app, loadStageConfig(app.node.tryGetContext('stage') ?? 'dev'));
app.synth();
