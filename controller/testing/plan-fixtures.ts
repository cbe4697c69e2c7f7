/**
 * Named fixtures for planner tests: a small environment (API service behind an ALB, a migration
 * it waits for, an alias to the ALB, an apex alias to CloudFront) and the ActualState of that
 * environment when everything is in sync. Tests start from the synced state and apply one drift.
 */
import { ownershipTags, TAG_MIGRATION_RESULT, TAG_MIGRATION_VERSION, type DesiredEnvironment } from '../model/plan.js';
import type { ActualState } from '../model/actual.js';
import { emptyActualState } from '../model/actual.js';
import type { EcsService, EcsTaskDefinition } from '../model/aws.js';
import { aliasRecordSchema, environmentSchema, migrationSchema, serviceSchema } from '../spec/schema.js';
import { desiredServiceSettings, desiredTaskDefinition, migrationContainer, migrationFamily, migrationVersion, serviceName } from '../plan/desired.js';
import { ownerRecordName, ownerRecordValue } from '../plan/alias.js';

export const ACCOUNT = '123456789012';
export const REGION = 'ap-northeast-1';
export const REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/shop-api`;
export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;
export const TG_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/shop-api-tg/0123456789abcdef`;
export const LB_DNS = 'shop-api-alb-1234567890.ap-northeast-1.elb.amazonaws.com';
export const ZONE_ID = 'Z0123456789ABCDEFGHIJ';

export function desiredShop(overrides: { mode?: 'enforce' | 'observe'; changeBudget?: number; autoscaling?: boolean; adopt?: boolean } = {}): DesiredEnvironment {
  const environment = environmentSchema.parse({
    apiVersion: 'steady.dev/v1alpha1',
    kind: 'Environment',
    metadata: { name: 'shop-prod' },
    spec: { region: REGION, cluster: 'shop-prod', mode: overrides.mode ?? 'enforce', changeBudget: overrides.changeBudget ?? 20, tags: { team: 'shop' } },
  });
  const api = serviceSchema.parse({
    apiVersion: 'steady.dev/v1alpha1',
    kind: 'Service',
    metadata: { name: 'api', environment: 'shop-prod' },
    spec: {
      desiredCount: 2,
      autoscaling: overrides.autoscaling ?? false,
      adopt: overrides.adopt ?? false,
      after: ['db-migrate'],
      loadBalancer: { targetGroup: 'shop-api-tg', containerName: 'app', containerPort: 8000 },
      network: { subnets: ['subnet-0bbbbbbbbbbbbbbbb', 'subnet-0aaaaaaaaaaaaaaaa'], securityGroups: ['sg-0123456789abcdef0'] },
      taskDefinition: {
        family: 'shop-api',
        cpu: 256,
        memory: 512,
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/shop-exec`,
        containers: [
          {
            name: 'app',
            image: `${REPO}:latest`,
            portMappings: [{ containerPort: 8000 }],
            environment: { LOG_LEVEL: 'info' },
            secrets: { DATABASE_URL: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:shop-db` },
          },
        ],
      },
    },
  });
  const migrate = migrationSchema.parse({
    apiVersion: 'steady.dev/v1alpha1',
    kind: 'Migration',
    metadata: { name: 'db-migrate', environment: 'shop-prod' },
    spec: { fromService: 'api', command: ['alembic', 'upgrade', 'head'], timeoutSeconds: 600 },
  });
  const apiDns = aliasRecordSchema.parse({
    apiVersion: 'steady.dev/v1alpha1',
    kind: 'AliasRecord',
    metadata: { name: 'api-dns', environment: 'shop-prod' },
    spec: { zone: 'example.com', name: 'api.example.com', target: { loadBalancer: 'shop-api-alb' } },
  });
  return { name: 'shop-prod', environment, services: [api], migrations: [migrate], scheduledTasks: [], aliases: [apiDns] };
}

function arnOf(family: string, revision: number): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
}

/** The AWS state in which `desired` is fully converged (images at DIGEST_A). */
export function syncedActual(desired: DesiredEnvironment, now = Date.UTC(2026, 0, 1)): ActualState {
  const actual = emptyActualState(desired.name, now);
  const cluster = { arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/shop-prod`, name: 'shop-prod', status: 'ACTIVE', tags: {} };
  actual.cluster = cluster;
  actual.images[`${REPO}:latest`] = { kind: 'pinned', digest: DIGEST_A, pinned: `${REPO}@${DIGEST_A}` };
  actual.targetGroups['shop-api-tg'] = { arn: TG_ARN, name: 'shop-api-tg', port: 8000, protocol: 'HTTP', targetType: 'ip', loadBalancerArns: ['arn:lb'] };
  actual.loadBalancers['shop-api-alb'] = {
    arn: 'arn:lb',
    name: 'shop-api-alb',
    dnsName: LB_DNS,
    canonicalHostedZoneId: 'Z14GRHDCWA56QT',
    type: 'application',
    scheme: 'internet-facing',
    state: 'active',
  };
  for (const svc of desired.services) {
    const built = desiredTaskDefinition(svc.spec.taskDefinition, actual.images);
    if (!('content' in built)) throw new Error('fixture images must resolve');
    const td: EcsTaskDefinition = { arn: arnOf(built.content.family, 7), family: built.content.family, revision: 7, status: 'ACTIVE', content: built.content };
    actual.taskDefinitions[td.arn] = td;
    const settings = desiredServiceSettings(svc, TG_ARN);
    const service: EcsService = {
      arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/shop-prod/${serviceName(svc)}`,
      name: serviceName(svc),
      clusterArn: cluster.arn,
      status: 'ACTIVE',
      taskDefinitionArn: td.arn,
      desiredCount: svc.spec.desiredCount,
      runningCount: svc.spec.desiredCount,
      pendingCount: 0,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      deploymentController: 'ECS',
      deployments: [
        {
          id: 'ecs-svc/1234567890123456789',
          status: 'PRIMARY',
          taskDefinitionArn: td.arn,
          desiredCount: svc.spec.desiredCount,
          runningCount: svc.spec.desiredCount,
          pendingCount: 0,
          failedTasks: 0,
          rolloutState: 'COMPLETED',
          rolloutStateReason: 'ECS deployment ecs-svc/1234567890123456789 completed.',
          createdAt: now - 3600_000,
          updatedAt: now - 3000_000,
        },
      ],
      loadBalancers: settings.loadBalancers ?? [],
      network: settings.network,
      deploymentConfiguration: settings.deploymentConfiguration!,
      tags: { ...ownershipTags(desired.name, `Service/${svc.metadata.name}`), team: 'shop' },
      events: [{ createdAt: now - 3000_000, message: `(service ${serviceName(svc)}) has reached a steady state.` }],
      createdAt: now - 86400_000,
    };
    actual.services[service.name] = service;
  }
  for (const m of desired.migrations) {
    const svc = desired.services.find((s) => s.metadata.name === m.spec.fromService)!;
    const family = migrationFamily(m, desired.services);
    const built = desiredTaskDefinition(svc.spec.taskDefinition, actual.images, undefined, family);
    if (!('content' in built)) throw new Error('fixture images must resolve');
    const version = migrationVersion(built.content, migrationContainer(m, svc.spec.taskDefinition), m.spec.command);
    actual.migrations[m.metadata.name] = {
      latest: {
        arn: arnOf(family, 3),
        family,
        revision: 3,
        status: 'ACTIVE',
        content: built.content,
        tags: { ...ownershipTags(desired.name, `Migration/${m.metadata.name}`), [TAG_MIGRATION_VERSION]: version, [TAG_MIGRATION_RESULT]: 'succeeded' },
      },
      tasks: [],
    };
  }
  actual.zones['example.com'] = {
    zone: { id: ZONE_ID, name: 'example.com', private: false },
    records: desired.aliases.flatMap((a) => [
      { name: a.spec.name, type: a.spec.type, alias: { dnsName: `dualstack.${LB_DNS}`, hostedZoneId: 'Z14GRHDCWA56QT', evaluateTargetHealth: false } },
      { name: ownerRecordName(a.spec.type, a.spec.name), type: 'TXT', ttl: 300, values: [ownerRecordValue(desired.name, `AliasRecord/${a.metadata.name}`)] },
    ]),
  };
  return actual;
}

export const POLICY = { mode: 'enforce' as const, dryRun: false, changeBudget: 20, now: Date.UTC(2026, 0, 1) };

/**
 * `actual` with the migration's latest revision run by an earlier pass and still RUNNING (started a
 * minute before POLICY.now), its result not yet recorded.
 */
export function runningMigrationTask(actual: ActualState, migration = 'db-migrate'): ActualState {
  const latest = actual.migrations[migration].latest!;
  delete latest.tags[TAG_MIGRATION_RESULT];
  actual.migrations[migration].tasks = [
    {
      arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/shop-prod/0123456789abcdef0123456789abcdef`,
      clusterArn: actual.cluster!.arn,
      taskDefinitionArn: latest.arn,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      startedBy: `steady/${migration}/${latest.tags[TAG_MIGRATION_VERSION]}/0`,
      startedAt: POLICY.now - 60_000,
      containers: [],
      tags: {},
    },
  ];
  return actual;
}
