/**
 * The controller's IAM policy: exactly the AWS calls steady makes (see the adapters in
 * `controller/aws/`, the spec loader, the state store and the notifier), on the resources the
 * deployment names. Every statement that keeps a `*` says why in `wildcards`; the stack turns those
 * reasons into cdk-nag acknowledgements, and refuses to synthesize a wildcard without one.
 *
 * Ownership: ECS mutations are conditioned on steady's ownership tag where ECS supports it —
 * `aws:ResourceTag/steady:managed-by` on what exists, `aws:RequestTag/steady:managed-by` on what
 * is created (RegisterTaskDefinition, CreateService, RunTask's tags). The ownership tag itself can
 * be written only when a resource is created (`ecs:CreateAction`), and on an existing resource only
 * if the deployment names it (`adoptServices`): the role cannot claim a resource by tagging it.
 * Route 53 changes are CREATE and UPSERT of A, AAAA and TXT records only, and only of the names the
 * deployment gives (`recordNames`) when it gives them.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { ownerRecordName } from '../controller/plan/plan.js';
import type { SteadyDeployConfig } from './context.js';
import { STATUS_PAGE_KEY } from '../controller/status-page/publish.js';

/** steady's ownership tag (controller/model/plan.ts: TAG_MANAGED_BY / ownershipTags). */
export const OWNERSHIP_TAG = 'steady:managed-by';
export const OWNERSHIP_VALUE = 'steady';

/** One statement and, when it holds a wildcard, why the wildcard is needed. */
export interface ControllerStatement {
  statement: iam.PolicyStatement;
  /** Why a `*` in its resources cannot be narrowed: the acknowledgement's reason. */
  wildcards?: string;
}

/** Where the statements point: the stack's partition and account, and its resources. */
export interface PolicyScope {
  partition: string;
  account: string;
  /** The regions environments live in (at least the stack's). */
  regions: string[];
  bucketArn: string;
  /** Normalised: `''` or without slashes at either end. */
  specPrefix: string;
  /** The private bucket the status page is written to. */
  statusBucketArn: string;
  tableArn: string;
  /** The time-ordered index's name (`byTime`). */
  indexName: string;
  /** The function's log group ARN (ends in `:*`). */
  logGroupArn: string;
}

/** Statements of one concern, added in order; `add` keeps each statement's Sid and wildcard reason together. */
function statements(fill: (add: AddStatement) => void): ControllerStatement[] {
  const out: ControllerStatement[] = [];
  fill((sid, actions, resources, conditions, wildcards) => out.push(statement(sid, actions, resources, conditions, wildcards)));
  return out;
}

type AddStatement = (sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>, wildcards?: string) => void;

function statement(sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>, wildcards?: string): ControllerStatement {
  return { statement: new iam.PolicyStatement({ sid, actions, resources, ...(conditions ? { conditions } : {}) }), ...(wildcards ? { wildcards } : {}) };
}

/** The ARNs of the managed clusters and what runs in them, in every region. */
function ecsScope(config: SteadyDeployConfig, scope: PolicyScope) {
  const { partition: p, account: a, regions } = scope;
  const clusterNames = config.clusters.length > 0 ? config.clusters : ['*'];
  const ecsArn = (resource: string) => regions.map((r) => `arn:${p}:ecs:${r}:${a}:${resource}`);
  return {
    ecsArn,
    clusterArns: clusterNames.flatMap((c) => ecsArn(`cluster/${c}`)),
    serviceArns: clusterNames.flatMap((c) => ecsArn(`service/${c}/*`)),
    taskArns: clusterNames.flatMap((c) => ecsArn(`task/${c}/*`)),
    taskDefinitionArns: ecsArn('task-definition/*:*'),
  };
}

/**
 * The statements, in a stable order, each with a Sid.
 *
 * @example
 * const policy = new iam.Policy(this, 'ControllerPolicy', { statements: controllerStatements(config, scope).map((s) => s.statement) });
 */
export function controllerStatements(config: SteadyDeployConfig, scope: PolicyScope): ControllerStatement[] {
  return [
    ...stateStatements(scope),
    ...ecsStatements(config, scope),
    ...readStatements(config, scope),
    ...route53Statements(config, scope),
    ...notificationStatements(config, scope),
    ...codeDeployStatements(config, scope),
    ...schedulerStatements(config, scope),
    ...maintenanceStatements(config, scope),
  ];
}

/** The specs, the state table, the status page and the function's own logs. */
function stateStatements(scope: PolicyScope): ControllerStatement[] {
  const prefix = scope.specPrefix === '' ? '' : `${scope.specPrefix}/`;
  return statements((add) => {
  add('ReadPublishedSpecs', ['s3:GetObject'], [`${scope.bucketArn}/${prefix}*`], undefined, 'every key under the spec prefix: content-addressed objects, manifests and HEAD, whose names are not known at deploy time');
  add(
    'ListSpecPrefix',
    ['s3:ListBucket'],
    [scope.bucketArn],
    // Without it S3 answers AccessDenied for a missing key, and the loader cannot tell "missing" from "refused".
    prefix ? { StringLike: { 's3:prefix': [`${prefix}*`] } } : undefined,
  );
  add(
    'StateTable',
    // BatchWriteItem carries the store's deletes (stale snapshot parts, statuses of removed resources).
    ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'],
    [scope.tableArn, `${scope.tableArn}/index/${scope.indexName}`],
  );
  add('WriteStatusPage', ['s3:PutObject'], [`${scope.statusBucketArn}/${STATUS_PAGE_KEY}`]);
  add('WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], [scope.logGroupArn], undefined, "the function's own log group; Lambda names its log streams at run time");

  });
}

/** ECS reads, and changes only to what steady owns or creates as its own. */
function ecsStatements(config: SteadyDeployConfig, scope: PolicyScope): ControllerStatement[] {
  const { ecsArn, clusterArns, serviceArns, taskArns, taskDefinitionArns } = ecsScope(config, scope);
  const owned = { StringEquals: { [`aws:ResourceTag/${OWNERSHIP_TAG}`]: OWNERSHIP_VALUE } };
  const requestsOwned = { StringEquals: { [`aws:RequestTag/${OWNERSHIP_TAG}`]: OWNERSHIP_VALUE } };
  return statements((add) => {
  add(
    'EcsReadWithoutResourceLevelPermissions',
    ['ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions'],
    ['*'],
    undefined,
    'ECS DescribeTaskDefinition and ListTaskDefinitions support no resource-level permissions (the Service Authorization Reference lists no resource type for them)',
  );
  add(
    'EcsListInClusters',
    ['ecs:ListServices', 'ecs:ListTasks'],
    ['*'],
    { ArnLike: { 'ecs:cluster': clusterArns } },
    'ECS ListServices and ListTasks are authorized on the cluster through the ecs:cluster condition key, not a resource ARN; the condition limits them to the clusters steady manages',
  );
  add(
    'EcsRead',
    ['ecs:DescribeClusters', 'ecs:DescribeServices', 'ecs:DescribeTasks', 'ecs:ListTagsForResource'],
    [...clusterArns, ...serviceArns, ...taskArns, ...taskDefinitionArns],
    undefined,
    'services, tasks and task-definition revisions of the managed clusters: their names and ids are created at run time',
  );
  // --- ECS: changes, only to what steady owns or creates as its own
  add(
    'EcsRegisterOwnedTaskDefinitions',
    ['ecs:RegisterTaskDefinition'],
    ['*'],
    requestsOwned,
    'the revision a RegisterTaskDefinition creates has no ARN before the call; the aws:RequestTag condition allows only revisions tagged as steady\'s',
  );
  add('EcsCreateOwnedServices', ['ecs:CreateService'], serviceArns, requestsOwned, 'new services of the managed clusters, created only with steady\'s ownership tag');
  add(
    'EcsTagOnCreate',
    ['ecs:TagResource'],
    [...serviceArns, ...taskArns, ...taskDefinitionArns],
    // ECS authorizes the tags of CreateService, RegisterTaskDefinition and RunTask as TagResource.
    { StringEquals: { 'ecs:CreateAction': ['CreateService', 'RegisterTaskDefinition', 'RunTask'], [`aws:RequestTag/${OWNERSHIP_TAG}`]: OWNERSHIP_VALUE } },
    'tags written while steady creates a service, revision or task (ecs:CreateAction), carrying steady\'s ownership tag; the ARNs are created by that very call',
  );
  if (config.adoptServices.length > 0) {
    // Adoption: tagging an existing service as steady's, only for the services named at deploy time.
    add('EcsAdoptNamedServices', ['ecs:TagResource'], config.adoptServices.flatMap((s) => ecsArn(`service/${s}`)), requestsOwned);
  }
  add(
    'EcsChangeOwned',
    ['ecs:UpdateService', 'ecs:StopTask', 'ecs:TagResource'],
    [...serviceArns, ...taskArns, ...taskDefinitionArns],
    owned,
    'only services, task definitions and tasks carrying steady\'s ownership tag; their names are created at run time',
  );
  add(
    'EcsRunOwnedMigrations',
    ['ecs:RunTask'],
    taskDefinitionArns,
    { ...owned, ArnLike: { 'ecs:cluster': clusterArns } },
    'migration tasks run only from task-definition revisions steady registered (tagged as its own), in the managed clusters; revision ARNs are created at run time',
  );
  add(
    'EcsUntagOwned',
    ['ecs:UntagResource'],
    [...serviceArns, ...taskDefinitionArns],
    { ...owned, 'ForAllValues:StringLike': { 'aws:TagKeys': ['steady:*'] } },
    'only steady\'s own tags (steady retry clears steady:rollout and steady:migration-result) on resources steady owns',
  );
  if (config.passRoleArns.length > 0) {
    add('PassTaskRoles', ['iam:PassRole'], config.passRoleArns, { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  }

  });
}

/** Elastic Load Balancing, ECR, CloudFront and ACM: reads. */
function readStatements(config: SteadyDeployConfig, scope: PolicyScope): ControllerStatement[] {
  const { partition: p, account: a, regions } = scope;
  return statements((add) => {
  add(
    'ElbRead',
    [
      'elasticloadbalancing:DescribeLoadBalancers',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeRules',
      'elasticloadbalancing:DescribeTags',
      'elasticloadbalancing:DescribeTargetHealth',
    ],
    ['*'],
    undefined,
    'Elastic Load Balancing Describe* calls support no resource-level permissions',
  );
  const repositories = config.ecrRepositoryArns.length > 0 ? config.ecrRepositoryArns : regions.map((r) => `arn:${p}:ecr:${r}:${a}:repository/*`);
  add('EcrResolveImages', ['ecr:DescribeImages'], repositories, undefined, config.ecrRepositoryArns.length > 0 ? undefined : 'the repositories of the account the specs name images in (set ecrRepositoryArns to narrow it)');
  const distributions = (config.cloudFrontDistributionIds.length > 0 ? config.cloudFrontDistributionIds : ['*']).map((d) => `arn:${p}:cloudfront::${a}:distribution/${d}`);
  add('CloudFrontReadDistributions', ['cloudfront:GetDistribution'], distributions, undefined, config.cloudFrontDistributionIds.length > 0 ? undefined : 'the distributions alias records may target (set cloudFrontDistributionIds to narrow it)');

  // The wiring checks read the expiry of the certificates the load balancers' listeners use.
  add(
    'AcmReadListenerCertificates',
    ['acm:DescribeCertificate'],
    regions.map((r) => `arn:${p}:acm:${r}:${a}:certificate/*`),
    undefined,
    "the certificates the listeners use: which ones is only known from the load balancers at run time",
  );

  });
}

/** Route 53: only the zones given. */
function route53Statements(config: SteadyDeployConfig, scope: PolicyScope): ControllerStatement[] {
  const { partition: p } = scope;
  return statements((add) => {
  if (config.hostedZoneIds.length > 0) {
    const zones = config.hostedZoneIds.map((z) => `arn:${p}:route53:::hostedzone/${z}`);
    add('Route53FindZones', ['route53:ListHostedZonesByName'], ['*'], undefined, 'Route 53 ListHostedZonesByName supports no resource-level permissions; it only finds a zone\'s id by its name');
    add('Route53ReadRecords', ['route53:ListResourceRecordSets'], zones);
    add('Route53ChangeRecords', ['route53:ChangeResourceRecordSets'], zones, route53ChangeConditions(config.recordNames));
    add('Route53ChangeStatus', ['route53:GetChange'], [`arn:${p}:route53:::change/*`], undefined, 'Route 53 change ids are created by each ChangeResourceRecordSets call');
  }

  });
}

/** Email through SES and the Slack webhook's secret or parameter. */
function notificationStatements(config: SteadyDeployConfig, scope: PolicyScope): ControllerStatement[] {
  const { partition: p, account: a, regions } = scope;
  return statements((add) => {
  if (config.emailIdentity) {
    add(
      'SendNotificationEmail',
      ['ses:SendEmail'],
      regions.map((r) => `arn:${p}:ses:${r}:${a}:identity/${config.emailIdentity}`),
      config.emailFrom.length > 0 ? { StringEquals: { 'ses:FromAddress': config.emailFrom } } : undefined,
    );
  }
  if (config.slackWebhookSecretArn) {
    // A secret's ARN ends in "-" and six random characters; given without them, match any.
    const arn = /-[A-Za-z0-9]{6}$/.test(config.slackWebhookSecretArn) ? config.slackWebhookSecretArn : `${config.slackWebhookSecretArn}-??????`;
    add('ReadSlackWebhookSecret', ['secretsmanager:GetSecretValue'], [arn]);
  }
  if (config.slackWebhookParameter) {
    const name = config.slackWebhookParameter.replace(/^\//, '');
    add('ReadSlackWebhookParameter', ['ssm:GetParameter'], regions.map((r) => `arn:${p}:ssm:${r}:${a}:parameter/${name}`));
  }

  });
}

/** CodeDeploy blue/green: only the deployment groups given. */
function codeDeployStatements(config: SteadyDeployConfig, scope: PolicyScope): ControllerStatement[] {
  const { partition: p, account: a, regions } = scope;
  return statements((add) => {
  if (config.codeDeployGroups.length > 0) {
    add(
      'CodeDeployBlueGreen',
      ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment', 'codedeploy:GetDeploymentGroup', 'codedeploy:ListDeployments'],
      config.codeDeployGroups.flatMap((g) => regions.map((r) => `arn:${p}:codedeploy:${r}:${a}:deploymentgroup:${g}`)),
    );
    // CreateDeployment also records the AppSpec revision with the application, and reads the
    // traffic-shifting configuration it names (AWS's documented policy for deployers).
    const applications = [...new Set(config.codeDeployGroups.map((g) => g.split('/')[0]))];
    add(
      'CodeDeployRevisions',
      ['codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'],
      applications.flatMap((app) => regions.map((r) => `arn:${p}:codedeploy:${r}:${a}:application:${app}`)),
    );
    add(
      'CodeDeployConfigs',
      ['codedeploy:GetDeploymentConfig'],
      regions.map((r) => `arn:${p}:codedeploy:${r}:${a}:deploymentconfig:*`),
      undefined,
      "the traffic-shifting configurations the specs name (AWS's predefined ones or the account's own) are chosen per Service, not at deploy time",
    );
  }
  });
}

export function maintenanceStatements(config: SteadyDeployConfig, scope: PolicyScope): ControllerStatement[] {
  const { partition: p, account: a, regions } = scope;
  const out: ControllerStatement[] = [];
  if (config.maintenanceDistributionIds.length > 0) {
    const distributions = config.maintenanceDistributionIds.map((d) => `arn:${p}:cloudfront::${a}:distribution/${d}`);
    out.push(
      statement('MaintenanceSwitchDistributions', ['cloudfront:GetDistribution', 'cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution', 'cloudfront:ListTagsForResource'], distributions),
      statement('MaintenanceMarkDistributions', ['cloudfront:TagResource', 'cloudfront:UntagResource'], distributions, { 'ForAllValues:StringLike': { 'aws:TagKeys': ['steady:maintenance*'] } }),
    );
  }
  if (config.maintenanceListeners.length > 0) {
    const byName = config.maintenanceListeners.filter((l) => !l.startsWith('arn:'));
    const listeners = [
      ...config.maintenanceListeners.filter((l) => l.startsWith('arn:')),
      ...byName.flatMap((name) => regions.map((r) => `arn:${p}:elasticloadbalancing:${r}:${a}:listener/app/${name}/*`)),
    ];
    const rules = listeners.map((l) => (l.endsWith('/*') ? l.replace(':listener/', ':listener-rule/') : `${l.replace(':listener/', ':listener-rule/')}/*`));
    const why = 'the rules of the listeners given are created at run time, with ids ELB makes up' + (byName.length > 0 ? '; a load balancer given by name: each of its listeners, which keep the name when it is recreated' : '');
    out.push(
      statement('MaintenanceCreateRules', ['elasticloadbalancing:CreateRule'], listeners, { StringEquals: { [`aws:RequestTag/${OWNERSHIP_TAG}`]: OWNERSHIP_VALUE } }, byName.length > 0 ? why : undefined),
      statement('MaintenanceTagNewRules', ['elasticloadbalancing:AddTags'], rules, { StringEquals: { 'elasticloadbalancing:CreateAction': 'CreateRule' } }, why),
      statement('MaintenanceDeleteRules', ['elasticloadbalancing:DeleteRule'], rules, { StringEquals: { [`aws:ResourceTag/${OWNERSHIP_TAG}`]: OWNERSHIP_VALUE } }, why),
    );
  }
  return out;
}

/**
 * EventBridge Scheduler, for ScheduledTasks (controller/aws/scheduler.ts): steady's own schedule
 * groups (`steady-<environment>`, created only with steady's ownership tag) and the groups given at
 * deploy time for adopted schedules; the schedules in them; and passing the scheduler roles given
 * at deploy time, only to Scheduler.
 */
export function schedulerStatements(config: SteadyDeployConfig, scope: PolicyScope): ControllerStatement[] {
  const { partition: p, account: a, regions } = scope;
  const arn = (resource: string) => regions.map((r) => `arn:${p}:scheduler:${r}:${a}:${resource}`);
  const groups = ['steady-*', ...config.scheduleGroups];
  const why = "steady's schedule groups are named steady-<environment> after the environments in the specs, which are not known at deploy time";
  const out = [
    statement('SchedulerReadGroups', ['scheduler:GetScheduleGroup', 'scheduler:ListTagsForResource'], groups.flatMap((g) => arn(`schedule-group/${g}`)), undefined, why),
    statement(
      'SchedulerCreateOwnGroups',
      // CreateScheduleGroup with tags also needs TagResource (tag-on-create).
      ['scheduler:CreateScheduleGroup', 'scheduler:TagResource'],
      arn('schedule-group/steady-*'),
      { StringEquals: { [`aws:RequestTag/${OWNERSHIP_TAG}`]: OWNERSHIP_VALUE } },
      `${why}; only with steady's ownership tag`,
    ),
    statement(
      'SchedulerSchedules',
      ['scheduler:GetSchedule', 'scheduler:CreateSchedule', 'scheduler:UpdateSchedule'],
      groups.flatMap((g) => arn(`schedule/${g}/*`)),
      undefined,
      `${why}; the schedules in them are named after the ScheduledTasks`,
    ),
  ];
  if (config.schedulerRoleArns.length > 0) {
    out.push(statement('PassSchedulerRoles', ['iam:PassRole'], config.schedulerRoleArns, { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } }));
  }
  return out;
}

/**
 * What ChangeResourceRecordSets may do: CREATE and UPSERT (steady never deletes) of alias A/AAAA
 * records and their ownership TXT records, and, when the deployment names them, only those names
 * and their `_steady-<type>.` TXT records. The keys are multivalued (one value per change in the
 * batch), hence `ForAllValues`; each is always present in the request, so none is vacuously true.
 */
export function route53ChangeConditions(recordNames: string[]): Record<string, unknown> {
  const names = recordNames.flatMap((n) => [n, ownerRecordName('A', n), ownerRecordName('AAAA', n)]).map(normalizedRecordName);
  return {
    'ForAllValues:StringEquals': {
      'route53:ChangeResourceRecordSetsActions': ['CREATE', 'UPSERT'],
      'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'AAAA', 'TXT'],
      ...(names.length > 0 ? { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [...new Set(names)] } : {}),
    },
  };
}

/**
 * A record name as `route53:ChangeResourceRecordSetsNormalizedRecordNames` holds it: lower case,
 * no trailing dot, and every character other than a-z, 0-9, `-`, `_` and `.` as a backslash and
 * three octal digits (`*.example.com` -> `\\052.example.com`).
 */
export function normalizedRecordName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/[^a-z0-9\-_.]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/**
 * The AWS reads of `steady plan` (and `verify`): observing an environment, the wiring checks, and
 * loading a published commit (`--from`). The CI plan role may do these and nothing else.
 * deploy/ci-roles.test.ts checks the list against the calls real plans make on the simulated
 * account and against the code.
 */
export const PLAN_ACTIONS: readonly string[] = [
  's3:GetObject',
  's3:ListBucket',
  'ecs:DescribeClusters',
  'ecs:DescribeServices',
  'ecs:DescribeTaskDefinition',
  'ecs:DescribeTasks',
  'ecs:ListTaskDefinitions',
  'ecs:ListTasks',
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTargetHealth',
  'ecr:DescribeImages',
  'cloudfront:GetDistribution',
  'cloudfront:ListTagsForResource',
  'acm:DescribeCertificate',
  'route53:ListHostedZonesByName',
  'route53:ListResourceRecordSets',
  'codedeploy:GetDeploymentGroup',
  'codedeploy:ListDeployments',
  'codedeploy:GetDeployment',
  'scheduler:GetScheduleGroup',
  'scheduler:ListTagsForResource',
  'scheduler:GetSchedule',
];

/**
 * The CI plan role's statements: the controller's own statements (same resources, same
 * conditions: the spec prefix, the clusters, the zones, the deployment groups the deployment
 * names) narrowed to {@link PLAN_ACTIONS}. A statement with none of them is left out.
 *
 * @example
 * new iam.Policy(this, 'PlanPolicy', { statements: planStatements(config, scope).map((s) => s.statement) });
 */
export function planStatements(config: SteadyDeployConfig, scope: PolicyScope): ControllerStatement[] {
  return controllerStatements(config, scope).flatMap(({ statement, wildcards }) => {
    const json = statement.toStatementJson() as { Action: string | string[] } & Record<string, unknown>;
    const actions = ([] as string[]).concat(json.Action).filter((a) => PLAN_ACTIONS.includes(a));
    if (actions.length === 0) return [];
    return [{ statement: iam.PolicyStatement.fromJson({ ...json, Action: actions }), ...(wildcards ? { wildcards } : {}) }];
  });
}

/**
 * The CI publisher role's statements: what `steady apply` and `steady commits` call, on the spec
 * prefix only. GetObject covers HeadObject; ListBucket lets S3 say "not found" rather than "access
 * denied" for a key that is not there yet. No DeleteObject: `apply` never deletes.
 */
export function publisherStatements(scope: Pick<PolicyScope, 'bucketArn' | 'specPrefix'>): ControllerStatement[] {
  const prefix = scope.specPrefix === '' ? '' : `${scope.specPrefix}/`;
  return [
    {
      statement: new iam.PolicyStatement({ sid: 'ReadAndPublishCommits', actions: ['s3:GetObject', 's3:PutObject'], resources: [`${scope.bucketArn}/${prefix}*`] }),
      wildcards: 'every key under the spec prefix: content-addressed objects, manifests and HEAD, whose names are only known when specs are published',
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'ListThePrefix',
        actions: ['s3:ListBucket'],
        resources: [scope.bucketArn],
        ...(prefix ? { conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } } : {}),
      }),
    },
  ];
}
