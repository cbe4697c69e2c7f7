/**
 * What the deploy app refuses or warns about before a template exists: context keys it does not
 * know (a misspelt scope grants nothing), scopes left empty, and a stack without a region.
 */
import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployConfig, deployConfigOf, emptyScopeWarnings, stackRegion, unknownContextKeys } from './context.js';
import { SteadyStack } from './stack.js';

describe('context keys', () => {
  it('refuses a key steady does not know, naming the one it may have meant, beside the other problems', () => {
    const app = new App({ context: { hostedZoneId: 'Z0123456789ABCDEFGHIJ', passRoleArn: 'x', memorySize: '64', '@aws-cdk/core:newStyleStackSynthesis': true, 'aws:cdk:bundling-stacks': [] } });
    expect(() => deployConfigOf(app.node)).toThrow(
      [
        "steady's deploy context has 3 problems:",
        '  - hostedZoneId: unknown context key (did you mean "hostedZoneIds"?); the keys are listed in the README, "Context values"',
        '  - passRoleArn: unknown context key (did you mean "passRoleArns"?); the keys are listed in the README, "Context values"',
        '  - memorySize: "64" is not a whole number from 128 to 10240',
      ].join('\n'),
    );
  });

  it("lets the CDK's own keys (feature flags, lookups) and steady's pass", () => {
    expect(unknownContextKeys(['@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', 'aws:cdk:enable-path-metadata', 'availability-zones:account=1:region=x', 'acknowledged-issue-numbers', 'stackName', 'region', 'schedule'])).toEqual([]);
    expect(unknownContextKeys(['Schedule', 'frobnicate'])).toEqual([
      'Schedule: unknown context key (did you mean "schedule"?); the keys are listed in the README, "Context values"',
      'frobnicate: unknown context key; the keys are listed in the README, "Context values"',
    ]);
  });
});

describe('empty scopes', () => {
  let warnings: string[];
  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new SteadyStack(app, 'Steady', { config: deployConfig(() => undefined), env: { account: '123456789012', region: 'ap-northeast-1' } });
    warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('is empty')).map((w) => String(w.entry.data).replace(/ \[ack: .*\]$/, ''));
  }, 300_000);

  it('warn at synthesis for each scope that grants nothing', () => {
    expect(warnings).toEqual([
      'hostedZoneIds is empty: steady may not read or change any Route 53 record, so every AliasRecord fails with AccessDenied',
      'passRoleArns is empty: steady may pass no role to ECS, so no task definition naming an executionRoleArn or taskRoleArn can be registered or rolled out',
      'schedulerRoleArns is empty: steady may pass no role to EventBridge Scheduler, so no ScheduledTask can be created',
    ]);
  });

  it('and not once the scope is given', () => {
    const config = deployConfig((key) => ({ hostedZoneIds: 'Z0123456789ABCDEFGHIJ', passRoleArns: 'arn:aws:iam::123456789012:role/a', schedulerRoleArns: 'arn:aws:iam::123456789012:role/b' })[key as string]);
    expect(emptyScopeWarnings(config)).toEqual([]);
  });
});

describe('the stack region', () => {
  const none = () => undefined;
  it('comes from -c region, then AWS_REGION or AWS_DEFAULT_REGION, then the profile', () => {
    expect(stackRegion((k) => (k === 'region' ? 'eu-west-1' : undefined), { AWS_REGION: 'us-west-2' }, 'ap-south-1')).toBe('eu-west-1');
    expect(stackRegion(none, { AWS_REGION: 'us-west-2' }, 'ap-south-1')).toBe('us-west-2');
    expect(stackRegion(none, { AWS_DEFAULT_REGION: 'us-west-1' }, 'ap-south-1')).toBe('us-west-1');
    expect(stackRegion(none, {}, 'ap-south-1')).toBe('ap-south-1');
  });

  it('is required: without one the synthesis stops, saying where a region comes from (not us-east-1 by default)', () => {
    expect(() => stackRegion(none, { CDK_DEFAULT_REGION: 'us-east-1' }, undefined)).toThrow(
      "steady's deploy context has 1 problem:\n  - region: no region for the stack: give -c region=ap-northeast-1, set AWS_REGION, or set a region in the AWS profile (AWS_PROFILE, ~/.aws/config); the policy's ARNs are scoped to it",
    );
    expect(() => stackRegion((k) => (k === 'region' ? 'tokyo' : undefined), {}, undefined)).toThrow('region: "tokyo" is not a region (ap-northeast-1)');
  });
});
