/**
 * The deploy-time settings of the stack, from CDK context (`-c key=value` on the command line, or
 * `context` in cdk.json). Lists are JSON arrays or comma-separated strings. Every problem is
 * reported at once, before anything is synthesized.
 */
import type { Node } from 'constructs';
import { suggest } from '../controller/spec/messages.js';

/** What the stack is deployed with. */
export interface SteadyDeployConfig {
  /** Route 53 hosted zones steady may read and change records in (ids, e.g. `Z0123456789ABCDEFGHIJ`). */
  hostedZoneIds: string[];
  /** Task and execution roles the specs name: the only roles steady may pass to ECS. */
  passRoleArns: string[];
  /** ECS clusters steady manages; every cluster of the account in `regions` when empty. */
  clusters: string[];
  /**
   * `cluster/service` of the existing ECS services specs adopt (`adopt: true`): the only existing
   * resources the role may tag as steady's. Everything else is tagged only when steady creates it.
   */
  adoptServices: string[];
  /**
   * The record names (in `hostedZoneIds`) steady manages, normalised as Route 53's IAM condition
   * wants them: Route 53 changes are limited to these and their ownership TXT records. Any name
   * in the zones when empty.
   */
  recordNames: string[];
  /** Regions the environments live in; the stack's own region when empty. */
  regions: string[];
  /** EventBridge Scheduler expression of the reconcile tick. */
  schedule: string;
  /** Minutes between ticks, 1 to 60: the alarms' period (derived from a `rate(...)` schedule; needed for `cron(...)`). */
  passIntervalMinutes: number;
  /** The spec bucket's name; CloudFormation names it when absent. */
  bucketName?: string;
  /** Where `steady apply --prefix` publishes in the bucket. */
  specPrefix: string;
  /** The state table's name; CloudFormation names it when absent. */
  tableName?: string;
  /** An existing SNS topic for the alarms; otherwise the stack makes one. */
  alarmTopicArn?: string;
  /** Subscribed to the stack's alarm topic. */
  alarmEmail?: string;
  /** The SES identity (domain or address) notification email is sent from. */
  emailIdentity?: string;
  /** The `From` addresses allowed (the Environments' `notifications.email.from`); any address of the identity when empty. */
  emailFrom: string[];
  /** The Secrets Manager secret holding the Slack webhook URL (full ARN, or ARN without the random suffix). */
  slackWebhookSecretArn?: string;
  /** The SSM parameter holding the Slack webhook URL, by name (`/steady/shop-prod/slack-webhook`). */
  slackWebhookParameter?: string;
  /** CodeDeploy `application/deploymentGroup` pairs of blue/green services. */
  codeDeployGroups: string[];
  /** ECR repositories images are resolved in; every repository of the account in `regions` when empty. */
  ecrRepositoryArns: string[];
  /** CloudFront distributions aliases may target; every distribution of the account when empty. */
  cloudFrontDistributionIds: string[];
  /** Roles EventBridge Scheduler assumes to run ScheduledTasks (their `roleArn`): the only roles steady may pass to Scheduler. */
  schedulerRoleArns: string[];
  /** Schedule groups besides steady's own (`steady-<environment>`) whose schedules ScheduledTasks adopt. */
  scheduleGroups: string[];
  /** CloudFront distributions Maintenances switch (ids): the only ones steady may update and mark. */
  maintenanceDistributionIds: string[];
  /**
   * Where Maintenances add their ALB rule: listener ARNs, or load balancer names (all their
   * listeners, still right after the load balancer is recreated). The only places steady may create
   * and delete rules.
   */
  maintenanceListeners: string[];
  memorySize: number;
  timeoutSeconds: number;
  /** Cost control, not correctness (the lease is that): `undefined` leaves the function unreserved. */
  reservedConcurrency?: number;
  leaseTtlSeconds: number;
  timeMarginSeconds: number;
  /** Environments one invocation reconciles at once. */
  environmentConcurrency: number;
  /** Alarm when some environment's drift stays unhealed for this many passes in a row. */
  driftAlarmPasses: number;
  /** X-Ray tracing of the handler and its AWS calls. */
  tracing: boolean;
  logRetentionDays: number;
  /** Fan out (dispatcher, work queue, workers) only when a commit has more environments than this. */
  fanOutAbove: number;
  /** Most workers at once (the SQS event source's maximumConcurrency, 2 to 1000). */
  workerConcurrency: number;
  /** Roles in other accounts the controller may assume (the Environments' roleArn; the target-account stack makes them). */
  targetRoleArns: string[];
  /**
   * The CI roles for GitHub Actions (deploy/ci-roles.ts): given a repository, the stack adds a plan
   * role its pull requests may assume and a publisher role its branch may assume, through GitHub's
   * OIDC provider (made by the stack, or an existing one).
   */
  github?: GitHubConfig;
}

/** The repository whose GitHub Actions workflows get the CI roles. */
export interface GitHubConfig {
  /** `OWNER/REPO` */
  repository: string;
  /** The branch that publishes (its pushes assume the publisher role); default `main`. */
  branch: string;
  /** An existing `token.actions.githubusercontent.com` provider of the account; one is made when absent. */
  oidcProviderArn?: string;
}

/** The context keys, what they mean and their defaults (the README's table mirrors this). */
export const CONTEXT_KEYS = [
  'hostedZoneIds',
  'passRoleArns',
  'clusters',
  'adoptServices',
  'recordNames',
  'regions',
  'schedule',
  'passIntervalMinutes',
  'bucketName',
  'specPrefix',
  'tableName',
  'alarmTopicArn',
  'alarmEmail',
  'emailIdentity',
  'emailFrom',
  'slackWebhookSecretArn',
  'slackWebhookParameter',
  'codeDeployGroups',
  'ecrRepositoryArns',
  'cloudFrontDistributionIds',
  'schedulerRoleArns',
  'scheduleGroups',
  'maintenanceDistributionIds',
  'maintenanceListeners',
  'memorySize',
  'timeoutSeconds',
  'reservedConcurrency',
  'leaseTtlSeconds',
  'timeMarginSeconds',
  'environmentConcurrency',
  'driftAlarmPasses',
  'tracing',
  'logRetentionDays',
  'fanOutAbove',
  'workerConcurrency',
  'targetRoleArns',
  'githubRepository',
  'githubBranch',
  'githubOidcProviderArn',
  'stackName',
  'region',
] as const;

type ContextKey = (typeof CONTEXT_KEYS)[number];

/** An application load balancer's listener ARN, or a load balancer name. */
const MAINTENANCE_LISTENER = /^(arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+\/[0-9a-f]+|[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?)$/;

/** The retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Reads a context value: what `-c` gives (a string) or what cdk.json holds (any JSON). */
export type ContextReader = (key: ContextKey) => unknown;

/** Readers of list, text and whole-number context values; each adds what is wrong to `problems`. */
function contextReaders(read: ContextReader, problems: string[]) {
  const list = (key: ContextKey, pattern: RegExp, what: string): string[] => {
    const raw = read(key);
    if (raw === undefined || raw === null || raw === '') return [];
    let items: unknown[];
    if (Array.isArray(raw)) items = raw;
    else if (typeof raw === 'string' && raw.trim().startsWith('[')) {
      try {
        items = JSON.parse(raw);
      } catch {
        problems.push(`${key}: not a JSON list: ${raw}`);
        return [];
      }
    } else if (typeof raw === 'string') items = raw.split(',');
    else {
      problems.push(`${key}: expected a list of ${what}`);
      return [];
    }
    const values = items.map((i) => String(i).trim()).filter((i) => i !== '');
    for (const v of values) if (!pattern.test(v)) problems.push(`${key}: "${v}" is not ${what}`);
    return [...new Set(values)];
  };
  const text = (key: ContextKey, pattern?: RegExp, what?: string): string | undefined => {
    const raw = read(key);
    if (raw === undefined || raw === null || raw === '') return undefined;
    const value = String(raw).trim();
    if (pattern && !pattern.test(value)) problems.push(`${key}: "${value}" is not ${what}`);
    return value;
  };
  const whole = (key: ContextKey, fallback: number, min: number, max: number): number => {
    const raw = read(key);
    if (raw === undefined || raw === null || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key}: "${String(raw)}" is not a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  return { list, text, whole };
}

/**
 * The configuration from a construct node's context; throws one Error naming every problem (those
 * found before, `problemsFound`, first).
 *
 * @example
 * const config = deployConfig((key) => app.node.tryGetContext(key));
 */
export function deployConfig(read: ContextReader, problemsFound: string[] = []): SteadyDeployConfig {
  const problems: string[] = [...problemsFound];
  const { list, text, whole } = contextReaders(read, problems);

  const hostedZoneIds = list('hostedZoneIds', /^(\/hostedzone\/)?[A-Z0-9]{1,32}$/, 'a hosted zone id (Z0123456789ABCDEFGHIJ)').map((z) => z.replace(/^\/hostedzone\//, ''));
  const passRoleArns = list('passRoleArns', /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN');
  const clusters = list('clusters', /^[A-Za-z0-9_-]{1,255}$/, 'an ECS cluster name');
  const adoptServices = list('adoptServices', /^[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]{1,255}$/, 'cluster/service (an ECS cluster and service name)');
  for (const a of adoptServices) {
    if (a.includes('/') && clusters.length > 0 && !clusters.includes(a.split('/')[0])) problems.push(`adoptServices: "${a}" is not in one of the clusters steady may manage (${clusters.join(', ')})`);
  }
  const recordNames = list('recordNames', /^(\*\.)?([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/, 'a DNS name (api.example.com, *.example.com)').map((n) => n.toLowerCase().replace(/\.$/, ''));
  if (recordNames.length > 0 && hostedZoneIds.length === 0) problems.push('recordNames: needs hostedZoneIds, the zones the records are in');
  const regions = list('regions', /^[a-z]{2}(-[a-z]+)+-\d$/, 'a region (ap-northeast-1)');
  const schedule = text('schedule', /^(rate|cron)\(.+\)$/, 'a Scheduler expression (rate(1 minute), cron(0/5 * * * ? *))') ?? 'rate(1 minute)';
  const rate = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(schedule);
  let passIntervalMinutes = whole('passIntervalMinutes', 1, 1, 60);
  if (rate) {
    passIntervalMinutes = Number(rate[1]) * (rate[2].startsWith('hour') ? 60 : 1);
    // The alarms count passes in periods of one interval; CloudWatch evaluates at most a day.
    if (passIntervalMinutes < 1 || passIntervalMinutes > 60) problems.push(`schedule: "${schedule}": a reconciler should tick at least hourly (1 to 60 minutes)`);
  } else if (schedule.startsWith('rate(')) problems.push(`schedule: "${schedule}" is not a rate of minutes or hours`);
  else if (read('passIntervalMinutes') === undefined && schedule.startsWith('cron(')) {
    problems.push('passIntervalMinutes: required with a cron(...) schedule, to size the alarms');
  }
  const bucketName = text('bucketName', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name');
  const specPrefix = (text('specPrefix') ?? '').replace(/^\/+|\/+$/g, '');
  if (specPrefix.split('/').some((s) => s === '.' || s === '..') || specPrefix.includes('//')) problems.push(`specPrefix: "${specPrefix}" has an empty, "." or ".." segment`);
  const tableName = text('tableName', /^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name');
  const alarmTopicArn = text('alarmTopicArn', /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'an SNS topic ARN');
  const alarmEmail = text('alarmEmail', /^[^@\s]+@[^@\s]+$/, 'an email address');
  const emailIdentity = text('emailIdentity', /^([^@\s]+@)?[a-z0-9.-]+\.[a-z]{2,}$/i, 'an SES identity (a domain or an address)');
  const emailFrom = list('emailFrom', /^[^@\s]+@[^@\s]+$/, 'an email address');
  if (emailFrom.length > 0 && !emailIdentity) problems.push('emailFrom: needs emailIdentity, the SES identity the addresses belong to');
  const slackWebhookSecretArn = text('slackWebhookSecretArn', /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/, 'a Secrets Manager secret ARN');
  const slackWebhookParameter = text('slackWebhookParameter', /^\/?[\w.\-/]+$/, 'an SSM parameter name');
  const codeDeployGroups = list('codeDeployGroups', /^[\w.+-]+\/[\w.+-]+$/, 'application/deploymentGroup');
  const ecrRepositoryArns = list('ecrRepositoryArns', /^arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository\/[\w./-]+$/, 'an ECR repository ARN');
  const cloudFrontDistributionIds = list('cloudFrontDistributionIds', /^[A-Z0-9]{8,20}$/, 'a CloudFront distribution id');
  const [schedulerRoleArns, scheduleGroups] = [list('schedulerRoleArns', /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN'), list('scheduleGroups', /^[0-9a-zA-Z._-]{1,64}$/, 'a schedule group name')];
  const maintenanceDistributionIds = list('maintenanceDistributionIds', /^[A-Z0-9]{8,20}$/, 'a CloudFront distribution id');
  const maintenanceListeners = list('maintenanceListeners', MAINTENANCE_LISTENER, 'an ALB listener ARN or an application load balancer name');
  const memorySize = whole('memorySize', 512, 128, 10_240);
  const timeoutSeconds = whole('timeoutSeconds', 300, 60, 900);
  const reservedRaw = read('reservedConcurrency');
  const reservedConcurrency = reservedRaw === 'none' ? undefined : whole('reservedConcurrency', 3, 1, 1000);
  const leaseTtlSeconds = whole('leaseTtlSeconds', 300, 61, 3600);
  const timeMarginSeconds = whole('timeMarginSeconds', 60, 5, 300);
  if (timeMarginSeconds * 2 > timeoutSeconds) problems.push(`timeMarginSeconds: ${timeMarginSeconds} leaves a pass less than half of the ${timeoutSeconds} s timeout`);
  const environmentConcurrency = whole('environmentConcurrency', 4, 1, 64);
  const driftAlarmPasses = whole('driftAlarmPasses', 5, 1, 100);
  if (driftAlarmPasses * passIntervalMinutes > 1440) problems.push(`driftAlarmPasses: ${driftAlarmPasses} passes of ${passIntervalMinutes} minutes is more than the day a CloudWatch alarm can look back`);
  const tracingRaw = read('tracing');
  const tracing = tracingRaw === true || tracingRaw === 'true';
  if (tracingRaw !== undefined && tracingRaw !== true && tracingRaw !== false && tracingRaw !== 'true' && tracingRaw !== 'false') problems.push(`tracing: "${String(tracingRaw)}" is not true or false`);
  const logRetentionDays = whole('logRetentionDays', 30, 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) problems.push(`logRetentionDays: ${logRetentionDays} is not one CloudWatch Logs offers (${LOG_RETENTION_DAYS.join(', ')})`);

  const [fanOutAbove, workerConcurrency] = [whole('fanOutAbove', 10, 0, 10_000), whole('workerConcurrency', 10, 2, 1000)];
  const targetRoleArns = list('targetRoleArns', /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN');
  const github = githubConfig(text, problems);

  if (problems.length > 0) throw new Error(`steady's deploy context has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return {
    hostedZoneIds,
    passRoleArns,
    clusters,
    adoptServices,
    recordNames: [...new Set(recordNames)],
    regions,
    schedule,
    passIntervalMinutes,
    bucketName,
    specPrefix,
    tableName,
    alarmTopicArn,
    alarmEmail,
    emailIdentity,
    emailFrom,
    slackWebhookSecretArn,
    slackWebhookParameter,
    codeDeployGroups,
    ecrRepositoryArns,
    cloudFrontDistributionIds,
    schedulerRoleArns, scheduleGroups,
    maintenanceDistributionIds,
    maintenanceListeners,
    memorySize,
    timeoutSeconds,
    reservedConcurrency,
    leaseTtlSeconds,
    timeMarginSeconds,
    environmentConcurrency,
    driftAlarmPasses,
    tracing,
    logRetentionDays,
    fanOutAbove,
    workerConcurrency,
    targetRoleArns,
    ...(github ? { github } : {}),
  };
}

/** The CI roles' repository, branch and provider; none without a repository. */
function githubConfig(text: (key: ContextKey, pattern?: RegExp, what?: string) => string | undefined, problems: string[]): GitHubConfig | undefined {
  const repository = text('githubRepository', /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'a GitHub repository (OWNER/REPO)');
  const branch = text('githubBranch', /^(?!.*\.\.)(?!\/)[A-Za-z0-9._\/-]+(?<!\/)$/, 'a branch name (main, release/v1)')?.replace(/^refs\/heads\//, '');
  const oidcProviderArn = text('githubOidcProviderArn', /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, "the ARN of the account's GitHub OIDC provider (arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com)");
  if (!repository) {
    if (branch !== undefined) problems.push('githubBranch: needs githubRepository, the repository whose branch publishes');
    if (oidcProviderArn !== undefined) problems.push('githubOidcProviderArn: needs githubRepository, the repository the CI roles are for');
    return undefined;
  }
  return { repository, branch: branch ?? 'main', ...(oidcProviderArn ? { oidcProviderArn } : {}) };
}

/**
 * `deployConfig` over a construct's context, after refusing the keys steady does not know: a
 * misspelt scope (`hostedZoneId`) would otherwise grant nothing without a word.
 */
export function deployConfigOf(node: Node): SteadyDeployConfig {
  const unknown = unknownContextKeys(Object.keys(node.getAllContext() as Record<string, unknown>));
  return deployConfig((key) => node.tryGetContext(key), unknown);
}

/**
 * The context keys that are neither steady's nor the CDK's own (feature flags `@aws-cdk/...`,
 * `aws:cdk:...`, lookups `availability-zones:account=...`, which all hold `:` or `@`), each as a
 * problem naming the nearest key steady has.
 */
export function unknownContextKeys(keys: string[]): string[] {
  const ours = CONTEXT_KEYS as readonly string[];
  const cdk = new Set(['acknowledged-issue-numbers', 'cli-telemetry']);
  return keys
    .filter((k) => !ours.includes(k) && !cdk.has(k) && !/[:@]/.test(k))
    .sort()
    .map((k) => {
      const near = suggest(k, ours);
      return `${k}: unknown context key${near ? ` (did you mean "${near}"?)` : ''}; the keys are listed in the README, "Context values"`;
    });
}

/** Warnings for the scopes left empty: the permission is not granted, and what needs it fails. */
export function emptyScopeWarnings(config: SteadyDeployConfig): string[] {
  const warnings: string[] = [];
  if (config.hostedZoneIds.length === 0) warnings.push('hostedZoneIds is empty: steady may not read or change any Route 53 record, so every AliasRecord fails with AccessDenied');
  if (config.passRoleArns.length === 0) warnings.push('passRoleArns is empty: steady may pass no role to ECS, so no task definition naming an executionRoleArn or taskRoleArn can be registered or rolled out');
  if (config.schedulerRoleArns.length === 0) warnings.push('schedulerRoleArns is empty: steady may pass no role to EventBridge Scheduler, so no ScheduledTask can be created');
  return warnings;
}

/**
 * The stack's region: `-c region=...`, else `AWS_REGION`/`AWS_DEFAULT_REGION`, else the AWS
 * profile's; an Error saying where one comes from when there is none. (The CDK CLI itself falls
 * back to us-east-1, which would scope every ARN of the policy there.)
 */
export function stackRegion(read: ContextReader, env: Record<string, string | undefined>, profileRegion: string | undefined): string {
  const given = read('region');
  const region = (typeof given === 'string' && given.trim()) || env.AWS_REGION || env.AWS_DEFAULT_REGION || profileRegion;
  if (!region) {
    throw new Error(
      "steady's deploy context has 1 problem:\n  - region: no region for the stack: give -c region=ap-northeast-1, set AWS_REGION, or set a region in the AWS profile (AWS_PROFILE, ~/.aws/config); the policy's ARNs are scoped to it",
    );
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new Error(`steady's deploy context has 1 problem:\n  - region: "${region}" is not a region (ap-northeast-1)`);
  return region;
}
