import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { deployConfig } from './context.js';
import { MAX_RECEIVE_COUNT } from './fanout.js';
import { SteadyStack } from './stack.js';
import { SteadyTargetStack, TARGET_ROLE_NAME } from './target.js';

const ACCOUNT = '123456789012';
const TARGETS = ['arn:aws:iam::210987654321:role/steady-target', 'arn:aws:iam::310987654321:role/steady-target'];

function synth(context: Record<string, unknown>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const config = deployConfig((key) => context[key]);
  const stack = new SteadyStack(app, 'Steady', { config, env: { account: ACCOUNT, region: 'ap-northeast-1' } });
  const target = new SteadyTargetStack(app, 'SteadyTarget', { config });
  return { stack, template: Template.fromStack(stack), target, targetTemplate: Template.fromStack(target) };
}

describe('fan-out in the CDK app', () => {
  const { stack, template, target, targetTemplate } = synth({ clusters: 'shop-prod', hostedZoneIds: 'Z0123456789ABCDEFGHIJ', targetRoleArns: TARGETS.join(','), workerConcurrency: '20', fanOutAbove: '5' });

  it('makes a work queue with a dead-letter queue, and a worker fed one message at a time with bounded concurrency and partial batch responses', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 1800,
      MessageRetentionPeriod: 3600,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkDeadLetters'), 'Arn'] }, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.worker',
      Timeout: 300,
      Environment: { Variables: Match.objectLike({ STEADY_TABLE: Match.anyValue(), STEADY_STATUS_BUCKET: Match.absent(), STEADY_WORKER_CONCURRENCY: '20' }) },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 20 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Work[0-9A-F]'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: { Variables: Match.objectLike({ STEADY_QUEUE_URL: { Ref: Match.stringLikeRegexp('^Work[0-9A-F]') }, STEADY_FAN_OUT_ABOVE: '5', STEADY_WORKER_CONCURRENCY: '20' }) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
  });

  it('lets the controller assume exactly the target roles it is given', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Action: string | string[]; Resource: unknown }[]);
    expect(policies.filter((s) => ([] as string[]).concat(s.Action).includes('sts:AssumeRole'))).toEqual([expect.objectContaining({ Sid: 'AssumeTargetRoles', Resource: TARGETS })]);
  });

  it("makes a target role that trusts only the controller's role with the external id, with steady's AWS permissions and nothing of its bucket, table or logs", () => {
    targetTemplate.hasResourceProperties('AWS::IAM::Role', {
      RoleName: TARGET_ROLE_NAME,
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { Ref: 'ControllerRoleArn' } }, Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } } }],
      },
    });
    const statements = Object.values(targetTemplate.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as { Sid: string; Action: string | string[] }[]);
    const actions = statements.flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['ecs:CreateService', 'ecs:DescribeServices', 'route53:ChangeResourceRecordSets', 'ecr:DescribeImages']));
    expect(actions.filter((a) => /^(s3|dynamodb|logs|ses|ssm|secretsmanager|sqs|sts):/.test(a))).toEqual([]);
    targetTemplate.hasParameter('ExternalId', { MinLength: 2, MaxLength: 1224 });
    targetTemplate.hasOutput('TargetRoleArn', {});
    template.hasOutput('ControllerRoleArn', {});
  });

  it('passes cdk-nag on both stacks', () => {
    for (const s of [stack, target]) {
      const report = new AwsSolutionsChecks().validateScope(s);
      expect(report.violations).toEqual([]);
    }
  });
});
