/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` run it through tsx (cdk.json). Context values
 * (`-c key=value`) configure the stack (see context.ts and the README); cdk-nag's AWS Solutions
 * checks run on every synthesis and fail it on any finding not acknowledged with a reason.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { clientRegion } from '../controller/aws/region.js';
import { deployConfigOf, stackRegion } from './context.js';
import { SteadyStack } from './stack.js';
import { SteadyTargetStack } from './target.js';

const app = new App();
// Not CDK_DEFAULT_REGION: the CDK CLI sets it to us-east-1 when it finds no region.
const region = stackRegion((key) => app.node.tryGetContext(key), process.env, await clientRegion(new S3Client({})));
const config = deployConfigOf(app.node);
new SteadyStack(app, String(app.node.tryGetContext('stackName') ?? 'Steady'), {
  config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region },
});
// Environment-agnostic: its template is what a StackSet deploys to each target account.
new SteadyTargetStack(app, 'SteadyTarget', { config });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
