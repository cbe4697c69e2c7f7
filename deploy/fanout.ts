/**
 * Fan-out on AWS's own machinery (docs/architecture.md, "Many environments"): the work queue and
 * its dead-letter queue, the worker function (the controller's artefact, export `worker`) fed by
 * an SQS event source with batch size 1 and `maximumConcurrency`, the controller turned dispatcher
 * (`STEADY_QUEUE_URL`, `STEADY_FAN_OUT_ABOVE`; `STEADY_WORKER_CONCURRENCY` on both, by which each worker's
 * share of AWS's rate limits is divided: controller/lambda/rate-share.ts), the roles in other accounts the controller may
 * assume, and the alarms of the queue.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { handlerCode } from './bundling.js';
import type { SteadyDeployConfig } from './context.js';

export interface FanOutProps {
  controller: lambda.Function;
  role: iam.Role;
  logGroup: logs.ILogGroup;
  /** The controller's environment variables; the workers get the same, minus the status page. */
  environment: Record<string, string>;
  config: SteadyDeployConfig;
  alarmTopic: sns.ITopic;
  interval: Duration;
}

/** How many times a message is received before it goes to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 3;

export function addFanOut(stack: Stack, props: FanOutProps) {
  const { config, role } = props;
  const deadLetters = new sqs.Queue(stack, 'WorkDeadLetters', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
  Validations.of(deadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'this queue is the work queue\'s dead-letter queue itself; it is redriven by hand after a look' });
  const queue = new sqs.Queue(stack, 'Work', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // AWS's advice for a Lambda event source: six times the function's timeout.
    visibilityTimeout: Duration.seconds(Math.min(43_200, config.timeoutSeconds * 6)),
    // A message older than a few ticks is stale: the next tick sends the environment again.
    retentionPeriod: Duration.hours(1),
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
  });
  const { STEADY_STATUS_BUCKET: _page, ...workerEnvironment } = props.environment;
  const worker = new lambda.Function(stack, 'Worker', {
    description: 'steady: reconciles one environment per message of the work queue',
    code: handlerCode(),
    handler: 'index.worker',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: config.memorySize,
    timeout: Duration.seconds(config.timeoutSeconds),
    role,
    logGroup: props.logGroup,
    tracing: config.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
    environment: { ...workerEnvironment, STEADY_WORKER_CONCURRENCY: String(config.workerConcurrency) },
  });
  worker.addEventSource(new eventSources.SqsEventSource(queue, { batchSize: 1, maxConcurrency: config.workerConcurrency, reportBatchItemFailures: true }));
  queue.grantSendMessages(role);
  props.controller.addEnvironment('STEADY_QUEUE_URL', queue.queueUrl);
  props.controller.addEnvironment('STEADY_FAN_OUT_ABOVE', String(config.fanOutAbove));
  props.controller.addEnvironment('STEADY_WORKER_CONCURRENCY', String(config.workerConcurrency));
  if (config.targetRoleArns.length > 0) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'AssumeTargetRoles', actions: ['sts:AssumeRole'], resources: config.targetRoleArns }));
  }

  const alarm = (id: string, p: cloudwatch.AlarmProps) => {
    const a = new cloudwatch.Alarm(stack, id, p);
    a.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
    return a;
  };
  const alarms = {
    workDeadLetters: alarm('WorkDeadLettersAlarm', {
      alarmDescription: `A work message failed ${MAX_RECEIVE_COUNT} times (a worker crashed or timed out on it, or it is malformed) and is in the WorkDeadLetters queue; the worker's log says why. Redrive it once fixed, or let the next tick send the environment again.`,
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: props.interval, statistic: 'Maximum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    workerErrors: alarm('WorkerErrorsAlarm', {
      alarmDescription: 'A worker invocation failed (timeout, crash): its message comes back after the visibility timeout, then goes to WorkDeadLetters.',
      metric: worker.metricErrors({ period: props.interval, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  };
  return { queue, deadLetters, worker, alarms };
}
