/**
 * steady on AWS: the spec bucket, the state table, the controller function, its schedule and its
 * S3 trigger, the dead-letter queue, the alarms, the controller's least-privilege role and, when
 * a GitHub repository is given, the roles its CI assumes (ci-roles.ts).
 *
 * Overlapping invocations: the lease in the state table is the correctness mechanism (one writer
 * per environment, whoever invokes: the schedule, an S3 event, a person, the CLI on a laptop).
 * Reserved concurrency is cost control only: it caps how many invocations can run at once when
 * passes are slow, and never has to be 1.
 */
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { Construct } from 'constructs';
import { METRIC, METRIC_NAMESPACE, SERVICE_NAME } from '../controller/lambda/telemetry.js';
import { STATE_TABLE } from '../controller/state/table.js';
import { handlerCode } from './bundling.js';
import { addEnvironmentAlarms } from './environment-alarms.js';
import { addFanOut } from './fanout.js';
import { emptyScopeWarnings, type SteadyDeployConfig } from './context.js';
import { CiRoles } from './ci-roles.js';
import { acknowledgeWildcards } from './nag.js';
import { controllerStatements } from './policy.js';

export { acknowledgeWildcards };

export interface SteadyStackProps extends StackProps {
  config: SteadyDeployConfig;
}

/** The schedule's input: an EventBridge-shaped "Scheduled Event", filled in by Scheduler at each tick. */
export const SCHEDULE_INPUT = {
  version: '0',
  id: scheduler.ContextAttribute.executionId,
  'detail-type': 'Scheduled Event',
  source: 'aws.scheduler',
  time: scheduler.ContextAttribute.scheduledTime,
  resources: [scheduler.ContextAttribute.scheduleArn],
  detail: {},
};

/**
 * The whole deployment, configured by {@link SteadyDeployConfig} (CDK context).
 *
 * @example
 * const app = new App();
 * new SteadyStack(app, 'Steady', { config: deployConfigOf(app.node), env: { account: '123456789012', region: 'ap-northeast-1' } });
 */
export class SteadyStack extends Stack {
  readonly specBucket: s3.Bucket;
  readonly statusBucket: s3.Bucket;
  readonly stateTable: dynamodb.Table;
  readonly controller: lambda.Function;
  readonly controllerPolicy: iam.Policy;
  /** The CI roles, when the deployment names a GitHub repository. */
  readonly ci?: CiRoles;
  readonly failedInvocations: sqs.Queue;
  readonly alarmTopic: sns.ITopic;
  /** The work queue, its dead letters, the worker and their alarms (deploy/fanout.ts). */
  readonly fanOut: ReturnType<typeof addFanOut>;
  /** Alarms each environment trips on its own (deploy/environment-alarms.ts). */
  readonly environmentAlarms: ReturnType<typeof addEnvironmentAlarms>;
  readonly alarms: Record<
    'passErrors' | 'specsUnreadable' | 'specsRemoved' | 'awsUnreadable' | 'driftUnrepaired' | 'leaseStuck' | 'functionErrors' | 'notRunning' | 'failedInvocations',
    cloudwatch.Alarm
  >;

  constructor(scope: Construct, id: string, props: SteadyStackProps) {
    super(scope, id, { description: 'steady: a reconciling controller for ECS services, task definitions, migrations and Route 53 aliases', ...props });
    // Server access logs are delivered under a bucket policy, not the legacy log-delivery ACL.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const { config } = props;
    for (const warning of emptyScopeWarnings(config)) Annotations.of(this).addWarningV2(`steady:emptyScope:${warning.split(' ')[0]}`, warning);
    const interval = Duration.minutes(config.passIntervalMinutes);
    const regions = config.regions.length > 0 ? config.regions : [this.region];

    // ---------------------------------------------------------------------------- spec bucket
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({ id: 'AwsSolutions-S1', reason: 'this is the access-log bucket of the spec bucket; logging it into itself would loop' });

    this.specBucket = new s3.Bucket(this, 'SpecBucket', {
      bucketName: config.bucketName,
      // Old HEADs stay as noncurrent versions: what was live when, for rollbacks and audits.
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'spec-bucket/',
      lifecycleRules: [
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: Duration.days(90),
          noncurrentVersionsToRetain: 10,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---------------------------------------------------------------------------- status bucket
    // The status page the function writes after each invocation (controller/status-page): private,
    // encrypted, TLS-only; people open it only through a short-lived presigned link
    // (`steady status --url`), signed with their own credentials.
    this.statusBucket = new s3.Bucket(this, 'StatusBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'status-bucket/',
      lifecycleRules: [{ id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---------------------------------------------------------------------------- state table
    const attribute = (a: { name: string; type: string }) => ({ name: a.name, type: a.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER });
    this.stateTable = new dynamodb.Table(this, 'StateTable', {
      tableName: config.tableName,
      partitionKey: attribute(STATE_TABLE.partitionKey),
      sortKey: attribute(STATE_TABLE.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: STATE_TABLE.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of STATE_TABLE.globalSecondaryIndexes) {
      this.stateTable.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // ---------------------------------------------------------------------------- the function
    this.failedInvocations = new sqs.Queue(this, 'FailedInvocations', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failedInvocations).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'this queue is the dead-letter destination itself (failed invocations and undeliverable schedule ticks); nothing consumes it to fail again',
    });

    const logGroup = new logs.LogGroup(this, 'ControllerLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'ControllerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: "steady's controller: what steady's adapters call, on what the deployment names",
    });
    const specPrefix = config.specPrefix;
    const policyScope = {
      partition: this.partition,
      account: this.account,
      regions,
      bucketArn: this.specBucket.bucketArn,
      specPrefix,
      statusBucketArn: this.statusBucket.bucketArn,
      tableArn: this.stateTable.tableArn,
      indexName: STATE_TABLE.globalSecondaryIndexes[0].indexName,
      logGroupArn: logGroup.logGroupArn,
    };
    const statements = controllerStatements(config, policyScope);
    this.controllerPolicy = new iam.Policy(this, 'ControllerPolicy', { statements: statements.map((s) => s.statement), roles: [role] });
    acknowledgeWildcards(this.controllerPolicy, statements);
    // The roles GitHub Actions assume to plan pull requests and publish the branch (README, "CI").
    if (config.github) this.ci = new CiRoles(this, 'Ci', { config: { ...config, github: config.github }, scope: policyScope });

    const leaseTtlSeconds = config.leaseTtlSeconds;
    const environment = {
      STEADY_SPEC_BUCKET: this.specBucket.bucketName,
      STEADY_SPEC_PREFIX: specPrefix,
      STEADY_TABLE: this.stateTable.tableName,
      STEADY_LEASE_TTL_SECONDS: String(leaseTtlSeconds),
      STEADY_TIME_MARGIN_SECONDS: String(config.timeMarginSeconds),
      STEADY_CONCURRENCY: String(config.environmentConcurrency),
      STEADY_NOTIFY: 'true',
      STEADY_STATUS_BUCKET: this.statusBucket.bucketName,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_TRACE_ENABLED: String(config.tracing),
      POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
    };
    this.controller = new lambda.Function(this, 'Controller', {
      description: 'steady: reconciles the environments of the published spec commit',
      code: handlerCode(),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: config.memorySize,
      timeout: Duration.seconds(config.timeoutSeconds),
      role,
      logGroup,
      reservedConcurrentExecutions: config.reservedConcurrency,
      // Lambda delivers asynchronous events at least once and retries failures: a retried or
      // duplicated tick is never needed (the next tick is a minute away) and a stale one is noise.
      retryAttempts: 0,
      maxEventAge: Duration.seconds(60),
      onFailure: new destinations.SqsDestination(this.failedInvocations),
      tracing: config.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment,
    });
    // The function must not run before its permissions exist.
    this.controller.node.addDependency(this.controllerPolicy);
    if (config.tracing) {
      const defaultPolicy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
      if (defaultPolicy) {
        Validations.of(defaultPolicy).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions (added by Lambda active tracing)',
        });
      }
    }

    // ---------------------------------------------------------------------------- triggers
    const tickRole = new iam.Role(this, 'TickRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: "steady's schedule: invokes the controller, sends undeliverable ticks to the dead-letter queue",
    });
    new scheduler.Schedule(this, 'Tick', {
      description: 'steady: reconcile every environment of the published commit',
      schedule: scheduler.ScheduleExpression.expression(config.schedule),
      timeWindow: scheduler.TimeWindow.off(),
      target: new schedulerTargets.LambdaInvoke(this.controller, {
        input: scheduler.ScheduleTargetInput.fromObject(SCHEDULE_INPUT),
        retryAttempts: 0,
        maxEventAge: Duration.seconds(60),
        deadLetterQueue: this.failedInvocations,
        role: tickRole,
      }),
    });
    Validations.of(tickRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(this.resolve(`${this.controller.functionArn}:*`))}]`,
      reason: "aws-cdk-lib's grant of lambda:InvokeFunction covers the controller's versions and aliases (ARN:*) besides the function itself; it is this one function",
    });
    // HEAD is written last by `steady apply` and is the only key a rollback writes: the commit point.
    const headKey = specPrefix ? `${specPrefix}/HEAD` : 'HEAD';
    this.specBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.controller), { prefix: headKey });
    this.acknowledgeNotificationsHandler();

    // ---------------------------------------------------------------------------- alarms
    this.alarmTopic = config.alarmTopicArn ? sns.Topic.fromTopicArn(this, 'AlarmTopic', config.alarmTopicArn) : this.makeAlarmTopic(config.alarmEmail);
    this.fanOut = addFanOut(this, { controller: this.controller, role, logGroup, environment, config, alarmTopic: this.alarmTopic, interval });
    this.environmentAlarms = addEnvironmentAlarms(this, { alarmTopic: this.alarmTopic, interval, driftAlarmPasses: config.driftAlarmPasses });
    new CfnOutput(this, 'ControllerRoleArn', { value: role.roleArn, description: "The target-account stack's ControllerRoleArn parameter: the role target roles trust" });
    const metric = (name: string, statistic: 'Sum' | 'Maximum') =>
      new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName: name, dimensionsMap: { service: SERVICE_NAME }, statistic, period: interval });
    const alarm = (id: string, props: cloudwatch.AlarmProps) => {
      const a = new cloudwatch.Alarm(this, id, props);
      a.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      return a;
    };
    const atLeastOne = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    // A crashed holder's lease expires after its TTL; a live one is released by the end of the
    // invocation. Skips that last longer than both together mean the lease is not coming free.
    const leaseStuckPeriods = Math.ceil((leaseTtlSeconds + config.timeoutSeconds) / 60 / config.passIntervalMinutes) + 1;
    this.alarms = {
      passErrors: alarm('PassErrors', {
        alarmDescription:
          'A pass failed: a change AWS refused, a resource steady cannot bring to its spec (a failed migration or rollout, an image not found), the state table or the lease unusable, or the specs unloadable. See the ERROR lines in the function\'s log.',
        metric: metric(METRIC.passFailed, 'Sum'),
        threshold: 1,
        comparisonOperator: atLeastOne,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      specsUnreadable: alarm('SpecsUnreadable', {
        alarmDescription: 'The published spec commit cannot be loaded (missing or damaged object, access denied): steady changes nothing until it can. Republish with steady apply.',
        metric: metric(METRIC.specsUnreadable, 'Sum'),
        threshold: 1,
        comparisonOperator: atLeastOne,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      // Emitted once per commit pair: the alarm fires for one period, then clears by itself.
      specsRemoved: alarm('SpecsRemoved', {
        alarmDescription: 'The published HEAD no longer holds an Environment or resource the commit before it held: it is not reconciled any more and steady deleted nothing. The function\'s log says which ("is no longer in the specs").',
        metric: metric(METRIC.specsRemoved, 'Sum'),
        threshold: 1,
        comparisonOperator: atLeastOne,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      awsUnreadable: alarm('AwsUnreadable', {
        alarmDescription:
          'steady could not read AWS for an environment two passes in a row (no credentials, access denied, the endpoint unreachable, throttled out, AWS errors): it cannot tell whether anything drifted. The function\'s log names the cause.',
        metric: metric(METRIC.environmentUnreadable, 'Maximum'),
        threshold: 1,
        comparisonOperator: atLeastOne,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      driftUnrepaired: alarm('DriftUnrepaired', {
        alarmDescription: `Drift has been left unrepaired for ${config.driftAlarmPasses} passes in a row (a conflict, a failed migration, the change budget, AWS busy, or observe mode). See steady status.`,
        metric: metric(METRIC.driftUnrepaired, 'Maximum'),
        threshold: 1,
        comparisonOperator: atLeastOne,
        evaluationPeriods: config.driftAlarmPasses,
        datapointsToAlarm: config.driftAlarmPasses,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      leaseStuck: alarm('LeaseStuck', {
        alarmDescription: `An environment's lease has been held for ${leaseStuckPeriods} passes in a row, longer than the lease TTL plus the function timeout: no pass can run there.`,
        metric: metric(METRIC.leaseHeld, 'Maximum'),
        threshold: 1,
        comparisonOperator: atLeastOne,
        evaluationPeriods: leaseStuckPeriods,
        datapointsToAlarm: leaseStuckPeriods,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      functionErrors: alarm('FunctionErrors', {
        alarmDescription: 'The controller function failed (timeout, crash, invalid configuration or event); the event is in the FailedInvocations queue.',
        metric: this.controller.metricErrors({ period: interval, statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: atLeastOne,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      notRunning: alarm('NotRunning', {
        alarmDescription: 'The controller has not been invoked for 3 schedule intervals: the schedule is disabled or cannot invoke it.',
        metric: this.controller.metricInvocations({ period: interval, statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
      failedInvocations: alarm('FailedInvocationsQueued', {
        alarmDescription: 'Events steady could not handle are waiting in the FailedInvocations queue.',
        metric: this.failedInvocations.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        comparisonOperator: atLeastOne,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };

    // ---------------------------------------------------------------------------- outputs
    new CfnOutput(this, 'SpecBucketName', { value: this.specBucket.bucketName });
    new CfnOutput(this, 'SpecPrefix', { value: specPrefix });
    new CfnOutput(this, 'StateTableName', { value: this.stateTable.tableName });
    new CfnOutput(this, 'AccessLogBucketName', { value: accessLogs.bucketName });
    new CfnOutput(this, 'StatusBucketName', { value: this.statusBucket.bucketName });
    new CfnOutput(this, 'StatusPageCommand', {
      description: 'Open the status page: a link that works for 15 minutes',
      value: `npx steady status --url --status-bucket ${this.statusBucket.bucketName}`,
    });
    new CfnOutput(this, 'ControllerLogGroupName', { value: logGroup.logGroupName });
    new CfnOutput(this, 'ControllerFunctionName', { value: this.controller.functionName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'PublishCommand', {
      description: 'Publish specs for the controller to reconcile',
      value: `npx steady publish specs/ --bucket ${this.specBucket.bucketName}${specPrefix ? ` --prefix ${specPrefix}` : ''}`,
    });
  }

  /** An encrypted topic CloudWatch alarms can publish to, with an email subscription if given. */
  private makeAlarmTopic(email: string | undefined): sns.Topic {
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: "steady's alarm topic",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch encrypts what it publishes with the topic's key.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'steady alarms', masterKey: key, enforceSSL: true });
    if (email) topic.addSubscription(new snsSubscriptions.EmailSubscription(email));
    return topic;
  }

  /** The CDK-provided function that writes the bucket's notification configuration. */
  private acknowledgeNotificationsHandler(): void {
    const handler = this.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (!handler) return;
    Validations.of(handler).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "aws-cdk-lib's bucket-notifications custom resource: it runs only at deploy time, and writing its own logs is all the managed policy grants",
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: "aws-cdk-lib's bucket-notifications custom resource sets s3:PutBucketNotification with Resource *; it only configures the spec bucket's notification at deploy time",
      },
    );
  }
}
