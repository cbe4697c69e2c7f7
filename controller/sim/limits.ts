/**
 * AWS's request-rate limits as the simulated account enforces them: token buckets per account and
 * Region, refilled on the simulated clock. A call takes one token from every bucket that matches it
 * and is throttled (the service's throttling error, HTTP 400, `Rate exceeded`) when any of them is
 * empty. Values and their sources: the table in SIMPLIFICATIONS.md ("Rate limits").
 *
 * Generic on purpose: an operation a simulated service starts answering gets a limit by matching a
 * bucket here (by name, or by being a read or a write), with nothing else to change.
 */
import { isMutating, type SimServiceName } from './account.js';

/** One token bucket. `burst` is the bucket's size, `perSecond` its refill. */
export interface RateBucket {
  service: SimServiceName;
  /** What it limits, for messages and the table: `ELBv2 non-mutating actions`. */
  name: string;
  /** The operations it applies to: listed, or every read / every write of the service. */
  operations: readonly string[] | 'reads' | 'writes' | 'all';
  burst: number;
  perSecond: number;
}

/** Does `bucket` apply to `operation`? */
export function bucketMatches(bucket: RateBucket, operation: string): boolean {
  if (bucket.operations === 'all') return true;
  if (bucket.operations === 'reads') return !isMutating(operation);
  if (bucket.operations === 'writes') return isMutating(operation);
  return bucket.operations.includes(operation);
}

/** Regions where EventBridge Scheduler allows 1,000 schedule operations a second (else 250). */
const SCHEDULER_LARGE_REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'ap-northeast-1', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'eu-central-1', 'eu-west-1', 'eu-west-2', 'sa-east-1'];

/**
 * EventBridge Scheduler's documented default rates (Scheduler User Guide, "Quotas"): schedule
 * operations 1,000 a second in the larger Regions and 250 elsewhere; schedule-group operations 10 a
 * second. Tag operations are not listed there: the group figure is used.
 */
export function schedulerQuotas(region: string): Record<string, number> {
  const schedules = SCHEDULER_LARGE_REGIONS.includes(region) ? 1000 : 250;
  return {
    CreateSchedule: schedules,
    UpdateSchedule: schedules,
    DeleteSchedule: schedules,
    GetSchedule: schedules,
    ListSchedules: schedules,
    CreateScheduleGroup: 10,
    DeleteScheduleGroup: 10,
    GetScheduleGroup: 10,
    ListScheduleGroups: 10,
    TagResource: 10,
    UntagResource: 10,
    ListTagsForResource: 10,
  };
}

const ECS_READ_GROUPS: Record<string, readonly string[]> = {
  'ECS cluster read actions': ['DescribeClusters', 'ListClusters'],
  'ECS service read actions': ['DescribeServices', 'ListServices'],
  'ECS task read actions': ['DescribeTasks', 'ListTasks'],
  'ECS task definition read actions': ['DescribeTaskDefinition', 'ListTaskDefinitions', 'ListTaskDefinitionFamilies'],
};

/** The buckets of every simulated service in `region` (see SIMPLIFICATIONS.md for each value's source). */
export function awsRateLimits(region: string): RateBucket[] {
  return [
    ...Object.entries(ECS_READ_GROUPS).map(([name, operations]) => ({ service: 'ecs' as const, name, operations, burst: 50, perSecond: 20 })),
    { service: 'ecs', name: 'ECS RegisterTaskDefinition', operations: ['RegisterTaskDefinition', 'DeregisterTaskDefinition'], burst: 20, perSecond: 1 },
    { service: 'ecs', name: 'ECS service modify actions', operations: ['CreateService', 'UpdateService', 'DeleteService'], burst: 20, perSecond: 5 },
    { service: 'ecs', name: 'ECS task modify actions', operations: ['RunTask', 'StopTask'], burst: 100, perSecond: 20 },
    { service: 'ecs', name: 'ECS tag actions', operations: ['TagResource', 'UntagResource', 'ListTagsForResource'], burst: 20, perSecond: 5 },
    { service: 'elbv2', name: 'ELBv2 non-mutating actions', operations: 'reads', burst: 40, perSecond: 10 },
    { service: 'elbv2', name: 'ELBv2 mutating actions', operations: 'writes', burst: 20, perSecond: 4 },
    { service: 'route53', name: 'Route 53 account', operations: 'all', burst: 50, perSecond: 10 },
    ...['ListHostedZonesByName', 'ListHostedZones', 'GetHostedZone', 'ListResourceRecordSets', 'ChangeResourceRecordSets', 'GetChange'].map((op) => ({
      service: 'route53' as const,
      name: `Route 53 ${op}`,
      operations: [op],
      burst: 50,
      perSecond: 10,
    })),
    { service: 'ecr', name: 'ECR reads', operations: 'reads', burst: 20, perSecond: 10 },
    { service: 'ecr', name: 'ECR writes', operations: 'writes', burst: 10, perSecond: 5 },
    { service: 'codedeploy', name: 'CodeDeploy reads', operations: 'reads', burst: 10, perSecond: 5 },
    { service: 'codedeploy', name: 'CodeDeploy writes', operations: 'writes', burst: 10, perSecond: 2 },
    { service: 'acm', name: 'ACM DescribeCertificate', operations: ['DescribeCertificate'], burst: 10, perSecond: 10 },
    { service: 'acm', name: 'ACM writes', operations: 'writes', burst: 5, perSecond: 1 },
    { service: 'cloudfront', name: 'CloudFront reads', operations: 'reads', burst: 10, perSecond: 5 },
    { service: 'cloudfront', name: 'CloudFront writes', operations: 'writes', burst: 5, perSecond: 1 },
    ...Object.entries(schedulerQuotas(region)).map(([op, perSecond]) => ({
      service: 'scheduler' as const,
      name: `EventBridge Scheduler ${op}`,
      operations: [op],
      burst: perSecond,
      perSecond,
    })),
  ];
}
