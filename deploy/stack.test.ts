/**
 * The synthesized template, property by property, and cdk-nag's AWS Solutions checks. Bundling is
 * skipped here (`aws:cdk:bundling-stacks: []`); the artefact has its own tests
 * (controller/lambda/bundle.test.ts).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEvent } from '../controller/lambda/events.js';
import { METRIC } from '../controller/lambda/telemetry.js';
import { STATE_TABLE } from '../controller/state/table.js';
import { deployConfig, type SteadyDeployConfig } from './context.js';
import { acknowledgeWildcards, SCHEDULE_INPUT, SteadyStack } from './stack.js';

const ACCOUNT = '123456789012';
const REGION = 'ap-northeast-1';

/** A deployment with every optional permission switched on. */
const FULL = {
  hostedZoneIds: 'Z0123456789ABCDEFGHIJ,Z9876543210ZYXWVUTSRQ',
  passRoleArns: JSON.stringify([`arn:aws:iam::${ACCOUNT}:role/shop-prod-ecs-execution`, `arn:aws:iam::${ACCOUNT}:role/shop-prod-api`]),
  clusters: 'shop-prod,messaging-prod',
  adoptServices: 'messaging-prod/messaging-api',
  recordNames: 'api.example.com,*.example.com',
  schedule: 'rate(2 minutes)',
  bucketName: 'my-steady-specs',
  specPrefix: 'shop-prod',
  tableName: 'steady-state',
  alarmEmail: 'oncall@example.com',
  emailIdentity: 'example.com',
  emailFrom: 'steady@example.com',
  slackWebhookParameter: '/steady/shop-prod/slack-webhook',
  slackWebhookSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:steady/slack-webhook`,
  codeDeployGroups: 'messaging-api/messaging-api-prod',
  schedulerRoleArns: `arn:aws:iam::${ACCOUNT}:role/shop-prod-scheduler`,
  scheduleGroups: 'default',
  maintenanceDistributionIds: 'E2QWRUHAPOMQZL',
  maintenanceListeners: `shop-api-alb,arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/web-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`,
  driftAlarmPasses: '4',
};

function synth(context: Record<string, unknown>): { stack: SteadyStack; template: Template; config: SteadyDeployConfig } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const config = deployConfig((key) => context[key]);
  const stack = new SteadyStack(app, 'Steady', { config, env: { account: ACCOUNT, region: REGION } });
  return { stack, template: Template.fromStack(stack), config };
}

type Statement = { Sid: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

/** The statements of every IAM policy the stack gives the controller's role, resolved. */
function controllerStatementsOf(template: Template): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ControllerRole') }] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (s: Statement) => ([] as string[]).concat(s.Action);
const resourcesOf = (s: Statement) => ([] as unknown[]).concat(s.Resource);
const arn = (service: string, resource: string, region = REGION) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:${region}:${ACCOUNT}:${resource}`]] });

describe('the CDK app', () => {
  let full: ReturnType<typeof synth>;
  let minimal: ReturnType<typeof synth>;
  beforeAll(() => {
    full = synth(FULL);
    minimal = synth({});
  });

  describe('the spec bucket', () => {
    it('is versioned, encrypted, private, TLS-only, logged, and expires old versions', () => {
      full.template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        Properties: {
          BucketName: 'my-steady-specs',
          VersioningConfiguration: { Status: 'Enabled' },
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'spec-bucket/' },
          LifecycleConfiguration: {
            Rules: [
              Match.objectLike({
                Id: 'ExpireNoncurrentVersions',
                Status: 'Enabled',
                NoncurrentVersionExpiration: { NoncurrentDays: 90, NewerNoncurrentVersions: 10 },
                AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
              }),
            ],
          },
        },
      });
      full.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: Match.stringLikeRegexp('^SpecBucket') },
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: { AWS: '*' } })]),
        },
      });
    });

    it('has a sibling for the status page: encrypted, private, TLS-only, logged, kept on destroy', () => {
      full.template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        Properties: {
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'status-bucket/' },
        },
      });
      full.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: Match.stringLikeRegexp('^StatusBucket') },
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: { AWS: '*' } })]),
        },
      });
      full.template.hasOutput('StatusPageCommand', { Value: { 'Fn::Join': ['', ['npx steady status --url --status-bucket ', { Ref: Match.stringLikeRegexp('^StatusBucket') }]] } });
    });

    it('invokes the controller when HEAD under the prefix is written, and the event is one the handler acts on', () => {
      full.template.hasResourceProperties('Custom::S3BucketNotifications', {
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            { Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'shop-prod/HEAD' }] } }, LambdaFunctionArn: Match.anyValue() },
          ],
        },
      });
      minimal.template.hasResourceProperties('Custom::S3BucketNotifications', {
        NotificationConfiguration: { LambdaFunctionConfigurations: [Match.objectLike({ Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'HEAD' }] } } })] },
      });
      const event = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'my-steady-specs' }, object: { key: 'shop-prod/HEAD' } } }] };
      expect(parseEvent(event, { bucket: 'my-steady-specs', prefix: 'shop-prod/' })).toMatchObject({ ok: true, invocation: { trigger: 's3' } });
    });
  });

  describe('the state table', () => {
    it('is the table STATE_TABLE defines: on demand, TTL, point-in-time recovery, the time-ordered index', () => {
      full.template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        Properties: {
          TableName: 'steady-state',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: STATE_TABLE.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: STATE_TABLE.sortKey.name, KeyType: 'RANGE' },
          ],
          TimeToLiveSpecification: { AttributeName: STATE_TABLE.timeToLiveAttribute, Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          GlobalSecondaryIndexes: STATE_TABLE.globalSecondaryIndexes.map((g) => ({
            IndexName: g.indexName,
            KeySchema: [
              { AttributeName: g.partitionKey.name, KeyType: 'HASH' },
              { AttributeName: g.sortKey.name, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: g.projection },
          })),
        },
      });
    });
  });

  describe('the function', () => {
    it('runs on the newest Node.js runtime aws-cdk-lib offers, on arm64, sized, with its configuration', () => {
      const newest = Object.entries(lambda.Runtime)
        .filter(([key]) => /^NODEJS_\d+_X$/.test(key))
        .map(([, runtime]) => (runtime as lambda.Runtime).name)
        .sort((a, b) => Number(b.match(/\d+/)![0]) - Number(a.match(/\d+/)![0]))[0];
      expect(newest).toBe('nodejs24.x');
      full.template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: newest,
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 300,
        ReservedConcurrentExecutions: 3,
        TracingConfig: Match.absent(),
        Environment: {
          Variables: {
            STEADY_SPEC_BUCKET: { Ref: Match.stringLikeRegexp('^SpecBucket') },
            STEADY_SPEC_PREFIX: 'shop-prod',
            STEADY_TABLE: { Ref: Match.stringLikeRegexp('^StateTable') },
            STEADY_LEASE_TTL_SECONDS: '300',
            STEADY_TIME_MARGIN_SECONDS: '60',
            STEADY_CONCURRENCY: '4',
            STEADY_NOTIFY: 'true',
            STEADY_STATUS_BUCKET: { Ref: Match.stringLikeRegexp('^StatusBucket') },
            POWERTOOLS_SERVICE_NAME: 'steady',
            POWERTOOLS_METRICS_NAMESPACE: 'steady',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            POWERTOOLS_TRACE_ENABLED: 'false',
            POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
          },
        },
      });
      const sized = synth({ memorySize: '1024', timeoutSeconds: '600', reservedConcurrency: 'none', tracing: 'true' });
      sized.template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: newest,
        MemorySize: 1024,
        Timeout: 600,
        ReservedConcurrentExecutions: Match.absent(),
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: Match.objectLike({ POWERTOOLS_TRACE_ENABLED: 'true' }) },
      });
    });

    it('takes no retries and no stale events from Lambda, and sends failed invocations to an encrypted queue', () => {
      full.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FailedInvocations'), 'Arn'] } } },
      });
      full.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      full.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    it('writes its logs to its own log group, kept for the configured time', () => {
      full.template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
      full.template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^ControllerLogs') } } });
    });
  });

  describe('the schedule', () => {
    it('ticks at the configured rate (every minute by default), without retries, with a short event age and a dead-letter queue', () => {
      minimal.template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 minute)' });
      full.template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(2 minutes)',
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Controller'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FailedInvocations'), 'Arn'] } },
          Input: JSON.stringify(SCHEDULE_INPUT),
        },
      });
    });

    it('sends the handler an event it takes as a tick for every environment', () => {
      const schedule = Object.values(full.template.findResources('AWS::Scheduler::Schedule'))[0];
      const input = schedule.Properties.Target.Input as string;
      const delivered = input
        .replace('<aws.scheduler.execution-id>', 'd0f3c7a2-5b1e-4f6a-9c8d-7e6f5a4b3c2d')
        .replace('<aws.scheduler.scheduled-time>', '2026-01-01T00:00:00Z')
        .replace('<aws.scheduler.schedule-arn>', `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/Tick`);
      expect(parseEvent(JSON.parse(delivered), { bucket: 'my-steady-specs', prefix: 'shop-prod/' })).toEqual({
        ok: true,
        invocation: { trigger: 'schedule', dryRun: false, cause: `aws.scheduler Scheduled Event (arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/Tick)` },
      });
    });
  });

  describe('the alarms', () => {
    const alarm = (template: Template, metricName: string) => {
      // The work queue's and the worker's alarms (deploy/fanout.ts, tested there) watch the same AWS metrics.
      const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metricName } }))
        .filter(([id]) => !/^Work/.test(id))
        .map(([, r]) => r);
      expect(found).toHaveLength(1);
      return found[0].Properties;
    };

    it('watch the EMF metrics the handler emits, over the schedule interval, and notify the alarm topic', () => {
      const common = { Namespace: 'steady', Dimensions: [{ Name: 'service', Value: 'steady' }], Period: 120, Threshold: 1, AlarmActions: [{ Ref: expect.stringMatching(/^AlarmTopic/) }] };
      expect(alarm(full.template, METRIC.passFailed)).toMatchObject({ ...common, Statistic: 'Sum', EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(alarm(full.template, METRIC.specsUnreadable)).toMatchObject({ ...common, Statistic: 'Sum', EvaluationPeriods: 1 });
      expect(alarm(full.template, METRIC.specsRemoved)).toMatchObject({ ...common, Statistic: 'Sum', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
      // Drift left unrepaired for N passes in a row.
      expect(alarm(full.template, METRIC.driftUnrepaired)).toMatchObject({ ...common, Statistic: 'Maximum', EvaluationPeriods: 4, DatapointsToAlarm: 4 });
      // An environment steady cannot read: two passes in a row, so one throttled pass does not page anyone.
      expect(alarm(full.template, METRIC.environmentUnreadable)).toMatchObject({ ...common, Statistic: 'Maximum', EvaluationPeriods: 2, DatapointsToAlarm: 2, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      // Lease held through more than its TTL plus the function timeout: (300 + 300) s / 120 s + 1.
      expect(alarm(full.template, METRIC.leaseHeld)).toMatchObject({ ...common, Statistic: 'Maximum', EvaluationPeriods: 6, DatapointsToAlarm: 6 });
      expect(alarm(full.template, 'Errors')).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1, Period: 120 });
      expect(alarm(full.template, 'Invocations')).toMatchObject({ Namespace: 'AWS/Lambda', ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching', EvaluationPeriods: 3 });
      expect(alarm(full.template, 'ApproximateNumberOfMessagesVisible')).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 1 });
    });

    it('go to an encrypted topic CloudWatch may publish to, with the email subscribed, or to the topic given', () => {
      full.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmTopicKey'), 'Arn'] } });
      full.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
      full.template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'CloudWatchAlarmsPublish', Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
      });
      const given = synth({ alarmTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:ops-alarms` });
      given.template.resourceCountIs('AWS::SNS::Topic', 0);
      expect(alarm(given.template, METRIC.passFailed).AlarmActions).toEqual([`arn:aws:sns:${REGION}:${ACCOUNT}:ops-alarms`]);
    });
  });

  describe("the controller's permissions", () => {
    it('grant no action by wildcard', () => {
      for (const { template } of [full, minimal]) {
        for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
          for (const s of policy.Properties.PolicyDocument.Statement as Statement[]) expect(actionsOf(s).filter((a) => a.includes('*'))).toEqual([]);
        }
      }
    });

    it('use the resource * only for these calls, which AWS authorizes no other way', () => {
      const star = controllerStatementsOf(full.template)
        .filter((s) => resourcesOf(s).includes('*'))
        .map((s) => ({ sid: s.Sid, actions: actionsOf(s), resources: resourcesOf(s), condition: s.Condition }));
      expect(star).toEqual([
        { sid: 'EcsReadWithoutResourceLevelPermissions', actions: ['ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions'], resources: ['*'], condition: undefined },
        {
          sid: 'EcsListInClusters',
          actions: ['ecs:ListServices', 'ecs:ListTasks'],
          resources: ['*'],
          condition: { ArnLike: { 'ecs:cluster': [arn('ecs', 'cluster/shop-prod'), arn('ecs', 'cluster/messaging-prod')] } },
        },
        { sid: 'EcsRegisterOwnedTaskDefinitions', actions: ['ecs:RegisterTaskDefinition'], resources: ['*'], condition: { StringEquals: { 'aws:RequestTag/steady:managed-by': 'steady' } } },
        {
          sid: 'ElbRead',
          actions: [
            'elasticloadbalancing:DescribeLoadBalancers',
            'elasticloadbalancing:DescribeTargetGroups',
            'elasticloadbalancing:DescribeListeners',
            'elasticloadbalancing:DescribeRules',
            'elasticloadbalancing:DescribeTags',
            'elasticloadbalancing:DescribeTargetHealth',
          ],
          resources: ['*'],
          condition: undefined,
        },
        { sid: 'Route53FindZones', actions: ['route53:ListHostedZonesByName'], resources: ['*'], condition: undefined },
      ]);
    });

    it('make every ECS change conditional on steady\'s ownership tag', () => {
      const mutating = /^ecs:(Create|Register|Update|Run|Stop|Tag|Untag|Delete)/;
      const changes = controllerStatementsOf(full.template).filter((s) => actionsOf(s).some((a) => mutating.test(a)));
      expect(changes.map((s) => s.Sid)).toEqual([
        'EcsRegisterOwnedTaskDefinitions',
        'EcsCreateOwnedServices',
        'EcsTagOnCreate',
        'EcsAdoptNamedServices',
        'EcsChangeOwned',
        'EcsRunOwnedMigrations',
        'EcsUntagOwned',
      ]);
      for (const s of changes) {
        const tags = s.Condition?.StringEquals ?? {};
        expect(tags['aws:ResourceTag/steady:managed-by'] ?? tags['aws:RequestTag/steady:managed-by']).toBe('steady');
        expect(actionsOf(s).every((a) => mutating.test(a))).toBe(true);
      }
      // What a resource is created with must carry the tag; what exists must already have it.
      const bySid = Object.fromEntries(changes.map((s) => [s.Sid, s]));
      expect(bySid.EcsCreateOwnedServices.Condition).toEqual({ StringEquals: { 'aws:RequestTag/steady:managed-by': 'steady' } });
      expect(actionsOf(bySid.EcsChangeOwned)).toEqual(['ecs:UpdateService', 'ecs:StopTask', 'ecs:TagResource']);
      expect(bySid.EcsChangeOwned.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/steady:managed-by': 'steady' } });
      expect(bySid.EcsRunOwnedMigrations.Condition).toMatchObject({ StringEquals: { 'aws:ResourceTag/steady:managed-by': 'steady' }, ArnLike: { 'ecs:cluster': expect.any(Array) } });
      expect(bySid.EcsUntagOwned.Condition!['ForAllValues:StringLike']).toEqual({ 'aws:TagKeys': ['steady:*'] });
      // The ownership tag is written only while steady creates the resource, or on a service named at deploy time.
      expect(bySid.EcsTagOnCreate.Condition).toEqual({
        StringEquals: { 'ecs:CreateAction': ['CreateService', 'RegisterTaskDefinition', 'RunTask'], 'aws:RequestTag/steady:managed-by': 'steady' },
      });
      expect(resourcesOf(bySid.EcsAdoptNamedServices)).toEqual([arn('ecs', 'service/messaging-prod/messaging-api')]);
      expect(bySid.EcsAdoptNamedServices.Condition).toEqual({ StringEquals: { 'aws:RequestTag/steady:managed-by': 'steady' } });
      const tagging = controllerStatementsOf(full.template).filter((s) => actionsOf(s).includes('ecs:TagResource'));
      for (const s of tagging) {
        const existingOwned = s.Condition?.StringEquals?.['aws:ResourceTag/steady:managed-by'] === 'steady';
        const onCreate = s.Condition?.StringEquals?.['ecs:CreateAction'] !== undefined;
        const named = resourcesOf(s).every((r) => !JSON.stringify(r).includes('*'));
        expect({ sid: s.Sid, bounded: existingOwned || onCreate || named }).toEqual({ sid: s.Sid, bounded: true });
      }
      // Without adoptServices, no existing resource can be tagged as steady's.
      expect(controllerStatementsOf(minimal.template).map((s) => s.Sid)).not.toContain('EcsAdoptNamedServices');
      // Only in the clusters given.
      expect(resourcesOf(bySid.EcsChangeOwned)).toEqual([
        arn('ecs', 'service/shop-prod/*'),
        arn('ecs', 'service/messaging-prod/*'),
        arn('ecs', 'task/shop-prod/*'),
        arn('ecs', 'task/messaging-prod/*'),
        arn('ecs', 'task-definition/*:*'),
      ]);
    });

    it('change Route 53 records only in the hosted zones given', () => {
      const statements = controllerStatementsOf(full.template);
      const zones = [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':route53:::hostedzone/Z0123456789ABCDEFGHIJ']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':route53:::hostedzone/Z9876543210ZYXWVUTSRQ']] },
      ];
      const route53 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('route53:')));
      expect(route53.map((s) => [s.Sid, actionsOf(s), resourcesOf(s)])).toEqual([
        ['Route53FindZones', ['route53:ListHostedZonesByName'], ['*']],
        ['Route53ReadRecords', ['route53:ListResourceRecordSets'], zones],
        ['Route53ChangeRecords', ['route53:ChangeResourceRecordSets'], zones],
        ['Route53ChangeStatus', ['route53:GetChange'], [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':route53:::change/*']] }]],
      ]);
      // Only CREATE and UPSERT of alias and ownership records, of the names given and their TXT records.
      expect(route53.find((s) => s.Sid === 'Route53ChangeRecords')!.Condition).toEqual({
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsActions': ['CREATE', 'UPSERT'],
          'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'AAAA', 'TXT'],
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': [
            'api.example.com',
            '_steady-a.api.example.com',
            '_steady-aaaa.api.example.com',
            '\\052.example.com',
            '_steady-a.\\052.example.com',
            '_steady-aaaa.\\052.example.com',
          ],
        },
      });
      // No zones given, no Route 53 at all.
      expect(controllerStatementsOf(minimal.template).filter((s) => actionsOf(s).some((a) => a.startsWith('route53:')))).toEqual([]);
    });

    it('pass only the task and execution roles given, only to ECS tasks, and the scheduler roles given, only to Scheduler', () => {
      const passRole = controllerStatementsOf(full.template).filter((s) => actionsOf(s).includes('iam:PassRole'));
      expect(passRole).toEqual([
        {
          Sid: 'PassTaskRoles',
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: [`arn:aws:iam::${ACCOUNT}:role/shop-prod-ecs-execution`, `arn:aws:iam::${ACCOUNT}:role/shop-prod-api`],
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        },
        {
          Sid: 'PassSchedulerRoles',
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: `arn:aws:iam::${ACCOUNT}:role/shop-prod-scheduler`,
          Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        },
      ]);
      expect(controllerStatementsOf(minimal.template).filter((s) => actionsOf(s).includes('iam:PassRole'))).toEqual([]);
    });

    it('send email only from the configured identity and address, and read only the named secret and parameter', () => {
      const bySid = Object.fromEntries(controllerStatementsOf(full.template).map((s) => [s.Sid, s]));
      expect(bySid.SendNotificationEmail).toMatchObject({
        Action: 'ses:SendEmail',
        Resource: arn('ses', 'identity/example.com'),
        Condition: { StringEquals: { 'ses:FromAddress': ['steady@example.com'] } },
      });
      expect(bySid.ReadSlackWebhookSecret).toMatchObject({ Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:steady/slack-webhook-??????` });
      expect(bySid.ReadSlackWebhookParameter).toMatchObject({ Action: 'ssm:GetParameter', Resource: arn('ssm', 'parameter/steady/shop-prod/slack-webhook') });
      const none = controllerStatementsOf(minimal.template).flatMap(actionsOf);
      expect(none.filter((a) => /^(ses|secretsmanager|ssm|codedeploy|iam):/.test(a))).toEqual([]);
    });

    it('manage schedules only in steady\'s schedule groups and the groups given, creating only groups tagged as steady\'s', () => {
      const scheduler = controllerStatementsOf(full.template).filter((s) => actionsOf(s).some((a) => a.startsWith('scheduler:')));
      expect(scheduler).toEqual([
        expect.objectContaining({
          Sid: 'SchedulerReadGroups',
          Action: ['scheduler:GetScheduleGroup', 'scheduler:ListTagsForResource'],
          Resource: [arn('scheduler', 'schedule-group/steady-*'), arn('scheduler', 'schedule-group/default')],
        }),
        expect.objectContaining({
          Sid: 'SchedulerCreateOwnGroups',
          Action: ['scheduler:CreateScheduleGroup', 'scheduler:TagResource'],
          Resource: arn('scheduler', 'schedule-group/steady-*'),
          Condition: { StringEquals: { 'aws:RequestTag/steady:managed-by': 'steady' } },
        }),
        expect.objectContaining({
          Sid: 'SchedulerSchedules',
          Action: ['scheduler:GetSchedule', 'scheduler:CreateSchedule', 'scheduler:UpdateSchedule'],
          Resource: [arn('scheduler', 'schedule/steady-*/*'), arn('scheduler', 'schedule/default/*')],
        }),
      ]);
      // Never a delete: steady never deletes a schedule or a group.
      expect(controllerStatementsOf(full.template).flatMap(actionsOf).filter((a) => /^scheduler:Delete/.test(a))).toEqual([]);
    });

    it('switch maintenance only on the distributions and listeners given: steady\'s tags only, rules created and deleted only as steady\'s', () => {
      const maintenance = controllerStatementsOf(full.template).filter((s) => s.Sid?.startsWith('Maintenance'));
      const distribution = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudfront::${ACCOUNT}:distribution/E2QWRUHAPOMQZL`]] };
      const byName = (kind: string) => arn('elasticloadbalancing', `${kind}/app/shop-api-alb/*`);
      const byArn = (kind: string) => `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:${kind}/app/web-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`;
      expect(maintenance).toEqual([
        expect.objectContaining({
          Sid: 'MaintenanceSwitchDistributions',
          Action: ['cloudfront:GetDistribution', 'cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution', 'cloudfront:ListTagsForResource'],
          Resource: distribution,
        }),
        expect.objectContaining({
          Sid: 'MaintenanceMarkDistributions',
          Action: ['cloudfront:TagResource', 'cloudfront:UntagResource'],
          Resource: distribution,
          Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['steady:maintenance*'] } },
        }),
        expect.objectContaining({
          Sid: 'MaintenanceCreateRules',
          Action: 'elasticloadbalancing:CreateRule',
          Resource: [byArn('listener'), byName('listener')],
          Condition: { StringEquals: { 'aws:RequestTag/steady:managed-by': 'steady' } },
        }),
        expect.objectContaining({
          Sid: 'MaintenanceTagNewRules',
          Action: 'elasticloadbalancing:AddTags',
          Resource: [`${byArn('listener-rule')}/*`, byName('listener-rule')],
          Condition: { StringEquals: { 'elasticloadbalancing:CreateAction': 'CreateRule' } },
        }),
        expect.objectContaining({
          Sid: 'MaintenanceDeleteRules',
          Action: 'elasticloadbalancing:DeleteRule',
          Resource: [`${byArn('listener-rule')}/*`, byName('listener-rule')],
          Condition: { StringEquals: { 'aws:ResourceTag/steady:managed-by': 'steady' } },
        }),
      ]);
      expect(controllerStatementsOf(minimal.template).filter((s) => s.Sid?.startsWith('Maintenance'))).toEqual([]);
    });

    it('deploy blue/green only through the CodeDeploy deployment groups given', () => {
      const codedeploy = controllerStatementsOf(full.template).filter((s) => actionsOf(s).some((a) => a.startsWith('codedeploy:')));
      expect(codedeploy).toEqual([
        expect.objectContaining({
          Sid: 'CodeDeployBlueGreen',
          Action: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment', 'codedeploy:GetDeploymentGroup', 'codedeploy:ListDeployments'],
          Resource: arn('codedeploy', 'deploymentgroup:messaging-api/messaging-api-prod'),
        }),
        expect.objectContaining({
          Sid: 'CodeDeployRevisions',
          Action: ['codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'],
          Resource: arn('codedeploy', 'application:messaging-api'),
        }),
        expect.objectContaining({
          Sid: 'CodeDeployConfigs',
          Action: 'codedeploy:GetDeploymentConfig',
          Resource: arn('codedeploy', 'deploymentconfig:*'),
        }),
      ]);
    });

    it('read only the spec prefix of the bucket and write only the state table and the status page', () => {
      const bySid = Object.fromEntries(controllerStatementsOf(full.template).map((s) => [s.Sid, s]));
      expect(bySid.ReadPublishedSpecs).toMatchObject({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^SpecBucket/), 'Arn'] }, '/shop-prod/*']] } });
      expect(bySid.ListSpecPrefix).toMatchObject({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['shop-prod/*'] } } });
      expect(bySid.StateTable.Resource).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^StateTable/), 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^StateTable/), 'Arn'] }, '/index/byTime']] },
      ]);
      expect(bySid.WriteStatusPage).toMatchObject({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^StatusBucket/), 'Arn'] }, '/index.html']] } });
      const writes = controllerStatementsOf(full.template)
        .filter((st) => st.Sid !== 'WriteStatusPage')
        .flatMap(actionsOf)
        .filter((a) => /^(s3:(Put|Delete)|dynamodb:(CreateTable|DeleteTable|UpdateTable))/.test(a));
      expect(writes).toEqual([]);
    });
  });

  describe('cdk-nag', () => {
    it('finds nothing the stack has not acknowledged with a reason', () => {
      for (const { stack } of [full, minimal, synth({ tracing: 'true', alarmTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:ops-alarms` })]) {
        const report = new AwsSolutionsChecks().validateScope(stack);
        expect(report.violations).toEqual([]);
        expect(report.success).toBe(true);
      }
    });

    it('refuses to synthesize a wildcard resource nobody gave a reason for', () => {
      const stack = new Stack(new App(), 'Probe');
      const policy = new iam.Policy(stack, 'P');
      const statement = new iam.PolicyStatement({ sid: 'Careless', actions: ['ecs:DescribeServices'], resources: ['*'] });
      expect(() => acknowledgeWildcards(policy, [{ statement }])).toThrow('policy statement Careless has the wildcard resource * but gives no reason for it');
    });
  });
});
